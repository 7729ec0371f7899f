// The Kubernetes manifests (deploy/): each overlay is rendered with `kubectl kustomize`, every
// object is validated against the Kubernetes, KEDA and Prometheus-operator schemas
// (kubernetes-models), and the invariants a fleet depends on are checked: workers are scaled
// from zero by KEDA on the Bull lists and never SIGKILLed while a render drains, GPU workers
// land on GPU nodes, pods never migrate, secrets never sit in plain values.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { RENDER_QUEUE } from '../../src/queue/queue.constants.js';
import { ROOT } from '../helpers/engine.js';

type Obj = Record<string, any>;

const SCHEMA_MODULES: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

function render(overlay: string): Obj[] {
  const out = execFileSync('kubectl', ['kustomize', join(ROOT, 'deploy/overlays', overlay)], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS() as Obj);
}

const find = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const byName = (objs: Obj[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
const workerDeployments = (objs: Obj[]) => find(objs, 'Deployment').filter((d) => d.spec.template.metadata.labels['app.kubernetes.io/name'] === 'ecg-render-worker');
const envOf = (container: Obj): Record<string, string> => Object.fromEntries((container.env ?? []).filter((e: Obj) => 'value' in e).map((e: Obj) => [e.name, e.value]));
const matches = (selector: Obj, labels: Obj) => Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

describe.each(['cpu', 'gpu'])('deploy/overlays/%s', (overlay) => {
  const objs = render(overlay);
  const config = byName(objs, 'ConfigMap', 'ecg-render-config')!.data as Record<string, string>;

  it('validates every object against its schema', async () => {
    expect(objs.length).toBeGreaterThanOrEqual(12);
    for (const o of objs) {
      const mod = SCHEMA_MODULES[o.apiVersion];
      expect(mod).toBeDefined();
      const Model = (await import(mod))[o.kind];
      expect(typeof Model).toBe('function');
      expect(() => new Model(o).validate()).not.toThrow();
    }
  });

  it('runs migrations in a Job, never in the pods', () => {
    expect(config.MIGRATE_ON_START).toBe('false');
    expect(byName(objs, 'Job', 'ecg-render-migrate')).toBeDefined();
  });

  it('gives workers a termination grace beyond the shutdown grace plus the lease, a preStop hook, a memory /dev/shm and health probes', () => {
    const drainSeconds = Number(config.WORKER_SHUTDOWN_GRACE_MS) / 1000 + Number(config.JOB_LEASE_SECONDS);
    const workers = workerDeployments(objs);
    expect(workers.length).toBe(overlay === 'gpu' ? 2 : 1);
    for (const d of workers) {
      const pod = d.spec.template.spec;
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(drainSeconds + 10);
      expect(d.spec.replicas).toBeUndefined(); // KEDA owns the count
      const [c] = pod.containers;
      expect(c.lifecycle.preStop).toBeDefined();
      expect(c.livenessProbe.httpGet).toMatchObject({ path: '/health', port: 'health' });
      expect(c.readinessProbe.httpGet).toMatchObject({ path: '/health/ready', port: 'health' });
      expect(c.ports).toContainEqual({ name: 'health', containerPort: Number(config.WORKER_HEALTH_PORT) });
      const shm = c.volumeMounts.find((m: Obj) => m.mountPath === '/dev/shm');
      expect(pod.volumes.find((v: Obj) => v.name === shm.name).emptyDir.medium).toBe('Memory');
      expect(pod.securityContext.runAsNonRoot).toBe(true);
    }
  });

  it('scales every worker Deployment from zero on the Bull wait list and keeps it while renders are active', () => {
    const scaled = find(objs, 'ScaledObject');
    expect(scaled.map((s) => s.spec.scaleTargetRef.name).sort()).toEqual(workerDeployments(objs).map((d) => d.metadata.name).sort());
    for (const s of scaled) {
      expect(s.spec.minReplicaCount).toBe(0);
      const lists = s.spec.triggers.map((t: Obj) => (t.type === 'redis' ? t.metadata.listName : null));
      const prefix = `${config.QUEUE_PREFIX}:${RENDER_QUEUE}`;
      expect(lists.sort()).toEqual([`${prefix}:active`, `${prefix}:wait`]);
      for (const t of s.spec.triggers) expect(byName(objs, 'TriggerAuthentication', t.authenticationRef.name)).toBeDefined();
      expect(s.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(60);
    }
  });

  it('has a PodDisruptionBudget for every Deployment and probes on the API', () => {
    const pdbs = find(objs, 'PodDisruptionBudget');
    for (const d of find(objs, 'Deployment')) {
      expect(pdbs.some((p) => matches(p.spec.selector, d.spec.template.metadata.labels))).toBe(true);
    }
    const api = byName(objs, 'Deployment', 'ecg-render-api')!.spec.template.spec.containers[0];
    expect(api.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(api.livenessProbe.httpGet.path).toBe('/health');
    expect(byName(objs, 'Ingress', 'ecg-render-api')!.spec.rules[0].http.paths[0].backend.service.name).toBe('ecg-render-api');
  });

  it('keeps every secret in the Secret and scrapes /metrics with the metrics token', () => {
    const secretish = /SECRET|TOKEN|PASSWORD|DATABASE_URL|REDIS_URL|ACCESS_KEY/;
    expect(Object.keys(config).filter((k) => secretish.test(k))).toEqual([]);
    for (const d of [...find(objs, 'Deployment'), ...find(objs, 'Job')]) {
      for (const c of d.spec.template.spec.containers) {
        expect(Object.keys(envOf(c)).filter((k) => secretish.test(k))).toEqual([]);
        expect(c.envFrom).toContainEqual({ secretRef: { name: 'ecg-render-secrets' } });
      }
    }
    const [monitor] = find(objs, 'ServiceMonitor');
    for (const e of monitor.spec.endpoints) {
      expect(e.path).toBe('/metrics');
      expect(e.bearerTokenSecret).toEqual({ name: 'ecg-render-secrets', key: 'METRICS_TOKEN' });
    }
  });

  if (overlay === 'gpu') {
    it('puts GPU workers on GPU nodes with the NVENC driver capability', () => {
      const gpu = byName(objs, 'Deployment', 'ecg-render-worker-gpu')!.spec.template.spec;
      const [c] = gpu.containers;
      expect(c.resources.limits['nvidia.com/gpu']).toBe('1');
      expect(gpu.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
      expect(gpu.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
      expect(envOf(c).NVIDIA_DRIVER_CAPABILITIES.split(',')).toContain('video');
      expect(Number(envOf(c).NVENC_MAX_SESSIONS)).toBeGreaterThan(0);
    });
  }
});
