/**
 * strata-ml/queue: ensemble members, CV folds and compared models as jobs on a Redis queue
 * (BullMQ). `runQueueWorker` is `strata worker`; a run sends its jobs with the `queue` fit option
 * of an ensemble or of crossValidate.
 */
export type { QueueRunOptions } from "../parallel/queue-submit.js";
export { parseQueueUrl, type QueueAddress } from "../parallel/queue-url.js";
export { type QueueWorkerOptions, runQueueWorker } from "../parallel/queue-worker.js";
