/** Who a process belongs to, read from its cgroup path: a Kubernetes pod or a container runtime's container. */
export type CgroupOwner = { source: 'pod'; name: string } | { source: 'container'; name: string };

const UUID = '[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}';
/**
 * kubepods-besteffort-pod<uid>.slice, kubepods-pod<uid>.slice (systemd driver: the uid's dashes become
 * underscores), /kubepods/burstable/pod<uid>/… and /kubepods/pod<uid>/… (cgroupfs driver). Static pods
 * have a 32-hex uid (a hash of their manifest).
 */
const POD = new RegExp(`kubepods[^\\n]*?[/-]pod(${UUID}|[0-9a-f]{32})(?:\\.slice)?(?:/|$)`);
/** docker-<id>.scope, cri-containerd-<id>.scope, crio-<id>.scope, libpod-<id>.scope, /docker/<id>, /<anything>/<id>. */
const CONTAINER_ID = /(?:^|[/-])([0-9a-f]{64})(?:\.scope)?(?:\/|$)/;
/** LXC and Incus: /lxc/<name>, /lxc.payload.<name>. */
const LXC = /(?:^|\/)lxc(?:\.payload)?[./]([A-Za-z0-9][A-Za-z0-9._-]{0,62})(?:\/|$)/;

/**
 * The pod or container a process runs in, from the text of /proc/PID/cgroup (v1 lines
 * `N:controllers:/path`, v2 `0::/path`); null for a process of the host's own services. A pod wins
 * over its containers: the containers of a pod share the pod's network namespace.
 */
export function cgroupOwner(cgroupText: string): CgroupOwner | null {
  const paths = cgroupText
    .split('\n')
    .map((line) => line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1))
    .filter((path) => path.startsWith('/'));
  for (const path of paths) {
    const pod = POD.exec(path);
    if (pod?.[1]) return { source: 'pod', name: pod[1].replaceAll('_', '-') };
  }
  for (const path of paths) {
    const id = CONTAINER_ID.exec(path);
    // Container ids are shown as `docker ps`, `crictl ps` and `podman ps` show them: the first 12 digits.
    if (id?.[1]) return { source: 'container', name: id[1].slice(0, 12) };
  }
  for (const path of paths) {
    const lxc = LXC.exec(path);
    if (lxc?.[1]) return { source: 'container', name: lxc[1] };
  }
  return null;
}
