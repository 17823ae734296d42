/** The fuzz campaign's worker thread: runs each input it is sent and answers with the outcome. */
import { parentPort } from 'worker_threads';
import { runFuzzInput } from './check';
import type { FuzzInput } from './inputs';

parentPort!.on('message', (m: { index: number; input: FuzzInput }) => {
  void runFuzzInput(m.input).then((o) => parentPort!.postMessage({ index: m.index, code: o.code, ms: o.ms, rss: o.rss, problems: o.problems, err: o.err.slice(0, 2000) }));
});
