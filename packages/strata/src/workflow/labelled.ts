// Labelled examples moved down to data/ (estimators use them too); this keeps the older path.
export { inputCount, type Labelled, takeInput, takeLabelled } from "../data/labelled.js";
