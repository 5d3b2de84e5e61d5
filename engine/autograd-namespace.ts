// What `autograd.` holds in a cell: torch.autograd's names (Function for your own differentiable
// functions, grad, backward, anomaly detection). The same functions are also top-level names.

export { AnomalyError, detectAnomaly, isAnomalyEnabled, setDetectAnomaly } from "./anomaly.js";
export { backward, grad, isGradEnabled, noGrad, valueAndGrad } from "./autograd.js";
export { CustomFunction as Function, type CustomGrads, FunctionCtx } from "./custom-function.js";
export { gradcheck } from "./gradcheck.js";
