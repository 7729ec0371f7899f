// Worker thread body of startSamplerWorker (proc-sampler.ts): samples until told to stop, then
// posts its report and its own CPU time.
import { parentPort, workerData } from 'node:worker_threads';
import { ProcessSampler } from './proc-sampler.js';

const { rootPid, intervalMs } = workerData as { rootPid: number; intervalMs: number };
const cpu0 = process.threadCpuUsage();
const sampler = new ProcessSampler(rootPid, intervalMs).start(); // takes the first sample now
parentPort!.postMessage({ ready: true });
parentPort!.once('message', () => {
  const report = sampler.stop();
  const cpu = process.threadCpuUsage(cpu0);
  parentPort!.postMessage({ ...report, samplerCpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100 });
});
