export {
  accuracy,
  balancedAccuracy,
  type ClassificationReport,
  type ClassMetrics,
  classificationReport,
  confusionMatrix,
  formatReport,
  logLoss,
  meanStd,
  perClassMetrics,
  rocAuc,
} from "./classification.js";
