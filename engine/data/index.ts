// The `data` namespace cells see: datasets, loaders, splitting and scaling, built-in data.

export { TensorDataset, type Dataset } from "./dataset.js";
export { DataLoader, type DataLoaderOptions } from "./loader.js";
export { trainTestSplit, type SplitOptions } from "./split.js";
export { standardize, fitStandardizer, type Standardizer } from "./standardize.js";
export { iris, moons, spirals, xor, linearRegression, polynomialRegression, type LabelledData } from "./datasets.js";
export { sonnets, CharVocab, nextCharDataset } from "./text.js";
