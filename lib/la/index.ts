/**
 * Public API of the Local Aggregation core (Zhuang, Zhai & Yamins, ICCV 2019, arXiv:1903.12355).
 * Pure TF.js: tensors/typed arrays in, typed arrays and numbers out; the only I/O is the explicit
 * checkpoint directory.
 */
export { resolveConfig, defaultConfig, defaultAugmentation, computeLearningRate, type LAConfig, type LAConfigOverrides, type AugmentationConfig } from "./config";
export { train, type TrainOptions, type TrainProgress, type EpochReport, type TrainResult } from "./trainer";
export { computeClusterLabels } from "./run-state";
export { loadEncoder, embed } from "./embed";
export { createEncoder, disposeEncoder, type Encoder, type EncoderConfig } from "./encoder";
export { kmeans, type KMeansOptions, type KMeansResult } from "./kmeans";
export { knnAccuracy, type KnnOptions, type KnnResult } from "./knn";
export { densityDiagnostic, type DensityOptions, type DensityReport } from "./density";
export { closeSetDiagnostic, type CloseSetOptions, type CloseSetReport } from "./close-sets";
export { hasCheckpoint, loadCheckpoint } from "./checkpoint";
export { computeIRLoss, computeLALoss } from "./losses";
export { MemoryBank } from "./memory-bank";
