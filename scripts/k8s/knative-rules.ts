/**
 * What Knative Serving's admission webhook refuses in a Service's revision template, read from
 * knative-v1.15.2 (the version the walkthrough and the playbook install):
 *
 * - pkg/apis/serving/fieldmask.go: each part of the PodSpec is copied through a "mask" that keeps
 *   only the fields Knative allows, and pkg/apis/serving/k8s_validation.go refuses any field the
 *   mask dropped ("must not set the field(s)"). Some fields pass only when a flag in the
 *   config-features ConfigMap (pkg/apis/config/features.go: its defaults) is not Disabled; the
 *   flags are read from a config-features ConfigMap in the render when there is one, the
 *   defaults otherwise. automountServiceAccountToken passes only as false.
 * - k8s_validation.go: mount paths "/", "/dev", "/dev/log" are reserved; a volume that is not an
 *   emptyDir or a persistentVolumeClaim must be mounted readOnly; the ports of the queue-proxy
 *   sidecar (pkg/networking/constants.go: 8012, 8013, 8022, 8112, 9090, 9091, and 8008 for
 *   profiling) cannot be a container's; PORT, K_SERVICE, K_CONFIGURATION and K_REVISION are
 *   reserved environment variables; "queue-proxy" is a reserved container name.
 */
import type { K8sObject } from './deploy-rules.ts';

type Flag = 'Enabled' | 'Allowed' | 'Disabled';
type Features = Record<string, Flag>;

/** pkg/apis/config/features.go defaultFeaturesConfig, the flags the masks read. */
export const KNATIVE_DEFAULT_FEATURES: Features = {
  'kubernetes.podspec-affinity': 'Disabled',
  'kubernetes.podspec-topologyspreadconstraints': 'Disabled',
  'kubernetes.podspec-hostaliases': 'Disabled',
  'kubernetes.podspec-fieldref': 'Disabled',
  'kubernetes.podspec-nodeselector': 'Disabled',
  'kubernetes.podspec-runtimeclassname': 'Disabled',
  'kubernetes.podspec-securitycontext': 'Disabled',
  'kubernetes.podspec-shareprocessnamespace': 'Disabled',
  'kubernetes.podspec-priorityclassname': 'Disabled',
  'kubernetes.podspec-schedulername': 'Disabled',
  'kubernetes.containerspec-addcapabilities': 'Disabled',
  'kubernetes.podspec-tolerations': 'Disabled',
  'kubernetes.podspec-volumes-emptydir': 'Enabled',
  'kubernetes.podspec-persistent-volume-claim': 'Disabled',
  'kubernetes.podspec-init-containers': 'Disabled',
  'kubernetes.podspec-dnspolicy': 'Disabled',
  'kubernetes.podspec-dnsconfig': 'Disabled',
  'secure-pod-defaults': 'Disabled',
};

/** PodSpecMask: always allowed, and those allowed unless their flag is Disabled; the RevisionSpec's own fields (pkg/apis/serving/v1/revision_types.go) sit beside them. */
const REVISION_FIELDS = ['containerConcurrency', 'timeoutSeconds', 'responseStartTimeoutSeconds', 'idleTimeoutSeconds'];
const POD_ALLOWED = [
  ...REVISION_FIELDS,
  'serviceAccountName',
  'containers',
  'volumes',
  'imagePullSecrets',
  'enableServiceLinks',
  'automountServiceAccountToken',
];
const POD_FLAGGED: Record<string, string> = {
  affinity: 'kubernetes.podspec-affinity',
  topologySpreadConstraints: 'kubernetes.podspec-topologyspreadconstraints',
  hostAliases: 'kubernetes.podspec-hostaliases',
  nodeSelector: 'kubernetes.podspec-nodeselector',
  runtimeClassName: 'kubernetes.podspec-runtimeclassname',
  tolerations: 'kubernetes.podspec-tolerations',
  shareProcessNamespace: 'kubernetes.podspec-shareprocessnamespace',
  priorityClassName: 'kubernetes.podspec-priorityclassname',
  schedulerName: 'kubernetes.podspec-schedulername',
  initContainers: 'kubernetes.podspec-init-containers',
  dnsPolicy: 'kubernetes.podspec-dnspolicy',
  dnsConfig: 'kubernetes.podspec-dnsconfig',
};
/** ContainerMask, VolumeMountMask, ContainerPortMask, EnvVarMask, EnvFromSourceMask, ResourceRequirementsMask, ProbeMask, SecurityContextMask. */
const CONTAINER_ALLOWED = [
  'name',
  'args',
  'command',
  'env',
  'workingDir',
  'envFrom',
  'image',
  'imagePullPolicy',
  'livenessProbe',
  'ports',
  'readinessProbe',
  'resources',
  'securityContext',
  'startupProbe',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'volumeMounts',
];
const MOUNT_ALLOWED = ['name', 'readOnly', 'mountPath', 'subPath'];
const PORT_ALLOWED = ['containerPort', 'name', 'protocol'];
const ENV_ALLOWED = ['name', 'value', 'valueFrom'];
const ENV_FROM_ALLOWED = ['prefix', 'configMapRef', 'secretRef'];
const RESOURCES_ALLOWED = ['limits', 'requests'];
const PROBE_ALLOWED = [
  'exec',
  'httpGet',
  'tcpSocket',
  'grpc',
  'initialDelaySeconds',
  'timeoutSeconds',
  'periodSeconds',
  'successThreshold',
  'failureThreshold',
];
const SECURITY_ALLOWED = [
  'capabilities',
  'readOnlyRootFilesystem',
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'allowPrivilegeEscalation',
  'seccompProfile',
];
const POD_SECURITY_ALLOWED = [
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'fsGroup',
  'supplementalGroups',
  'seccompProfile',
];
/** VolumeSourceMask and VolumeProjectionMask. */
const VOLUME_SOURCES_ALLOWED = ['secret', 'configMap', 'projected'];
const PROJECTION_SOURCES_ALLOWED = ['secret', 'configMap', 'serviceAccountToken', 'downwardAPI'];
const TOKEN_PROJECTION_ALLOWED = ['audience', 'expirationSeconds', 'path'];

export const RESERVED_PORTS = [8012, 8013, 8022, 8112, 9090, 9091, 8008];
const RESERVED_PATHS = ['/', '/dev', '/dev/log'];
const RESERVED_ENV = ['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION'];

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- manifests

/** The flags as the render sets them (a config-features ConfigMap), over Knative's defaults. */
export function knativeFeatures(objects: K8sObject[]): Features {
  const features = { ...KNATIVE_DEFAULT_FEATURES };
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'config-features');
  for (const [key, value] of Object.entries(cm?.data ?? {})) {
    const flag = (['Enabled', 'Allowed', 'Disabled'] as Flag[]).find(
      (f) => f.toLowerCase() === String(value).toLowerCase(),
    );
    if (flag) features[key] = flag;
  }
  return features;
}

const extra = (value: Any | undefined, allowed: string[]): string[] =>
  Object.keys(value ?? {}).filter((k) => !allowed.includes(k));

export function knativeProblems(objects: K8sObject[]): string[] {
  const features = knativeFeatures(objects);
  const on = (flag: string): boolean => features[flag] !== 'Disabled';
  const problems: string[] = [];
  for (const o of objects) {
    if (o.kind !== 'Service' || !o.apiVersion.startsWith('serving.knative.dev/')) continue;
    const name = `Service/${o.metadata?.name ?? '?'}`;
    const pod = ((o.spec?.template as Any | undefined)?.spec ?? {}) as Any;
    const refuse = (at: string, fields: string[], why = ''): void => {
      if (fields.length)
        problems.push(`${name}: Knative's webhook refuses ${fields.map((f) => `${at}.${f}`).join(', ')}${why}`);
    };
    const podAllowed = [
      ...POD_ALLOWED,
      ...Object.entries(POD_FLAGGED)
        .filter(([, flag]) => on(flag))
        .map(([field]) => field),
    ];
    if (on('kubernetes.podspec-securitycontext') || on('secure-pod-defaults')) podAllowed.push('securityContext');
    refuse('spec.template.spec', extra(pod, podAllowed), ' (not in its PodSpec field mask with these config-features)');
    if (pod.automountServiceAccountToken === true)
      problems.push(
        `${name}: Knative's webhook refuses spec.template.spec.automountServiceAccountToken: true (only false is allowed; mount a projected serviceAccountToken volume instead)`,
      );
    // PodSecurityContextMask: all of POD_SECURITY_ALLOWED with the flag, only the seccomp profile under secure-pod-defaults: Enabled.
    if (podAllowed.includes('securityContext')) {
      const allowed = on('kubernetes.podspec-securitycontext')
        ? POD_SECURITY_ALLOWED
        : features['secure-pod-defaults'] === 'Enabled'
          ? ['seccompProfile']
          : [];
      refuse('spec.template.spec.securityContext', extra(pod.securityContext, allowed));
    }

    const volumes = new Map<string, Any>();
    for (const v of (pod.volumes ?? []) as Any[]) {
      volumes.set(v.name, v);
      const allowedSources = [...VOLUME_SOURCES_ALLOWED];
      if (on('kubernetes.podspec-volumes-emptydir')) allowedSources.push('emptyDir');
      if (on('kubernetes.podspec-persistent-volume-claim')) allowedSources.push('persistentVolumeClaim');
      refuse(
        `volumes[${v.name}]`,
        extra(v, ['name', ...allowedSources]),
        ' (not in its VolumeSource mask with these config-features)',
      );
      for (const [i, source] of ((v.projected?.sources ?? []) as Any[]).entries()) {
        refuse(`volumes[${v.name}].projected.sources[${i}]`, extra(source, PROJECTION_SOURCES_ALLOWED));
        refuse(
          `volumes[${v.name}].projected.sources[${i}].serviceAccountToken`,
          extra(source.serviceAccountToken, TOKEN_PROJECTION_ALLOWED),
        );
        if (source.serviceAccountToken && !source.serviceAccountToken.path)
          problems.push(`${name}: volume ${v.name}: a serviceAccountToken projection needs a path`);
      }
    }
    for (const c of [...((pod.containers ?? []) as Any[]), ...((pod.initContainers ?? []) as Any[])]) {
      const at = `containers[${c.name ?? '?'}]`;
      if (c.name === 'queue-proxy') problems.push(`${name}: ${at}: "queue-proxy" is a reserved container name`);
      refuse(at, extra(c, CONTAINER_ALLOWED));
      refuse(`${at}.securityContext`, extra(c.securityContext, SECURITY_ALLOWED));
      if (c.securityContext?.capabilities?.add?.length && !on('kubernetes.containerspec-addcapabilities')) {
        const netBindOnly =
          c.securityContext.capabilities.add.length === 1 &&
          c.securityContext.capabilities.add[0] === 'NET_BIND_SERVICE';
        if (!(netBindOnly && features['secure-pod-defaults'] === 'Enabled'))
          refuse(`${at}.securityContext.capabilities`, ['add']);
      }
      refuse(`${at}.resources`, extra(c.resources, RESOURCES_ALLOWED));
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'])
        refuse(`${at}.${probe}`, extra(c[probe], PROBE_ALLOWED));
      for (const [i, p] of ((c.ports ?? []) as Any[]).entries()) {
        refuse(`${at}.ports[${i}]`, extra(p, PORT_ALLOWED));
        if (RESERVED_PORTS.includes(p.containerPort))
          problems.push(`${name}: ${at}: port ${p.containerPort} is reserved for Knative's queue-proxy`);
      }
      for (const e of (c.env ?? []) as Any[]) {
        refuse(`${at}.env[${e.name}]`, extra(e, ENV_ALLOWED));
        if (RESERVED_ENV.includes(e.name))
          problems.push(`${name}: ${at}: ${e.name} is a reserved environment variable`);
        const fieldRef = e.valueFrom?.fieldRef || e.valueFrom?.resourceFieldRef;
        if (fieldRef && !on('kubernetes.podspec-fieldref'))
          refuse(`${at}.env[${e.name}].valueFrom`, ['fieldRef'], ' (kubernetes.podspec-fieldref is Disabled)');
      }
      for (const [i, e] of ((c.envFrom ?? []) as Any[]).entries())
        refuse(`${at}.envFrom[${i}]`, extra(e, ENV_FROM_ALLOWED));
      for (const m of (c.volumeMounts ?? []) as Any[]) {
        refuse(`${at}.volumeMounts[${m.name}]`, extra(m, MOUNT_ALLOWED));
        const clean = String(m.mountPath ?? '').replace(/\/+$/, '') || '/';
        if (RESERVED_PATHS.includes(clean)) problems.push(`${name}: ${at}: mountPath ${clean} is a reserved path`);
        const v = volumes.get(m.name);
        if (!v) problems.push(`${name}: ${at}: volumeMount ${m.name} has no matching volume`);
        else if (!v.emptyDir && !v.persistentVolumeClaim && m.readOnly !== true)
          problems.push(`${name}: ${at}: volume mount ${m.name} should be readOnly for this type of volume`);
      }
    }
  }
  return problems;
}
