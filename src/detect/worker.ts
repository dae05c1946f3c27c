// Worker-thread entry of the detector: ONNX Runtime's session.run blocks the thread it runs on
// for the whole inference, so the pipeline runs here and the main thread keeps draining
// ffmpeg's pipe. One frame at a time; logs go back to the main thread's logger.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { createDetector, type Detector } from './detector.js';
import { frameForTransfer, toWire, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('src/detect/worker is a worker-thread entry; use createWorkerDetector()');

const post = (msg: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);
const init = workerData as WorkerInit;
const logger = pino(
  { level: 'trace', base: null, timestamp: false, formatters: { level: (label) => ({ level: label }) } },
  { write: (line: string) => post({ type: 'log', line }) },
);

let detector: Detector | null = null;

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'analyze') {
    const d = detector;
    if (!d) {
      post({ type: 'error', id: msg.id, error: { message: 'detector worker is not ready' } });
      return;
    }
    d.analyze(msg.frame).then(
      (analysis) => {
        const back = frameForTransfer(analysis.frame);
        post({ type: 'result', id: msg.id, analysis: { ...analysis, frame: back.frame } }, back.transfer);
      },
      (err: unknown) => post({ type: 'error', id: msg.id, error: toWire(err) }),
    );
  } else if (msg.type === 'close') {
    const d = detector;
    detector = null;
    void (d ? d.close() : Promise.resolve()).finally(() => {
      post({ type: 'closed' });
      port.close();
    });
  }
});

createDetector(init.loaded, logger, { scan: init.scan, ...(init.plates ? { plates: init.plates } : {}) }).then(
  (d) => {
    detector = d;
    post({ type: 'ready', provider: d.provider, fallbackReason: d.fallbackReason, modelIds: { ...d.modelIds } });
  },
  (err: unknown) => {
    post({ type: 'init-error', error: toWire(err) });
    port.close();
  },
);
