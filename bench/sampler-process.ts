// Child process body of startSamplerProcess (proc-sampler.ts): samples its parent's process tree
// (leaving itself out) until told to stop, then sends its report and its own CPU time.
import { ProcessSampler } from './proc-sampler.js';

const rootPid = Number(process.argv[2]);
const intervalMs = Number(process.argv[3]);
const sampler = new ProcessSampler(rootPid, intervalMs, process.pid).start(); // first sample now
process.send!({ ready: true });
process.once('message', () => {
  const report = sampler.stop();
  const cpu = process.cpuUsage();
  process.send!({ ...report, samplerCpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100 }, () => process.exit(0));
});
// The bench died: nothing left to sample for.
process.once('disconnect', () => process.exit(0));
