// The `data` namespace cells see: datasets, loaders, splitting and scaling, built-in data.

export { type Dataset, TensorDataset } from "./dataset.js";
export { iris, type LabelledData, linearRegression, moons, polynomialRegression, spirals, xor } from "./datasets.js";
export { digits, FASHION_MNIST_DIR, type FashionMnistOptions, fashionMnist, type ImageData } from "./images.js";
export { DataLoader, type DataLoaderOptions } from "./loader.js";
export { type SplitOptions, trainTestSplit } from "./split.js";
export { fitStandardizer, type Standardizer, standardize } from "./standardize.js";
export { CharVocab, nextCharDataset, sonnets } from "./text.js";
