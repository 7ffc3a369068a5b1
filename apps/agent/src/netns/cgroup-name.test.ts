import { describe, expect, it } from 'vitest';
import { cgroupOwner } from './cgroup-name';

const ID = '4d3c2b1a0f9e8d7c6b5a49382716a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8';
const UID = '5f0c3a7e-1b2d-4e6f-8a9b-0c1d2e3f4a5b';

describe('cgroupOwner', () => {
  it.each([
    ['cgroup v2, systemd driver, besteffort', `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID.replaceAll('-', '_')}.slice/cri-containerd-${ID}.scope\n`],
    ['cgroup v2, systemd driver, burstable, cri-o', `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID.replaceAll('-', '_')}.slice/crio-${ID}.scope\n`],
    ['cgroup v2, systemd driver, guaranteed', `0::/kubepods.slice/kubepods-pod${UID.replaceAll('-', '_')}.slice/cri-containerd-${ID}.scope\n`],
    ['cgroup v1, cgroupfs driver, burstable', `12:pids:/kubepods/burstable/pod${UID}/${ID}\n11:memory:/kubepods/burstable/pod${UID}/${ID}\n`],
    ['cgroup v1, cgroupfs driver, guaranteed', `3:cpu,cpuacct:/kubepods/pod${UID}/${ID}\n`],
    ['kind: kubelet nested under a node container', `0::/system.slice/docker-${ID}.scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod${UID.replaceAll('-', '_')}.slice/cri-containerd-${ID}.scope\n`],
  ])('%s: the pod uid, dashes restored', (_name, text) => {
    expect(cgroupOwner(text)).toEqual({ source: 'pod', name: UID });
  });

  it('a static pod: a 32-hex uid', () => {
    expect(cgroupOwner('0::/kubepods/burstable/pod0123456789abcdef0123456789abcdef/' + ID + '\n')).toEqual({ source: 'pod', name: '0123456789abcdef0123456789abcdef' });
  });

  it.each([
    ['docker, systemd driver', `0::/system.slice/docker-${ID}.scope\n`],
    ['docker, cgroupfs driver (v1)', `12:devices:/docker/${ID}\n1:name=systemd:/docker/${ID}\n`],
    ['containerd without Kubernetes', `0::/system.slice/containerd.service/default/${ID}\n`],
    ['cri-o', `0::/machine.slice/crio-${ID}.scope\n`],
    ['podman', `0::/machine.slice/libpod-${ID}.scope/container\n`],
  ])('%s: the container id, 12 digits', (_name, text) => {
    expect(cgroupOwner(text)).toEqual({ source: 'container', name: ID.slice(0, 12) });
  });

  it('LXC and Incus containers by name', () => {
    expect(cgroupOwner('0::/lxc.payload.web-1/init.scope\n')).toEqual({ source: 'container', name: 'web-1' });
    expect(cgroupOwner('4:memory:/lxc/db\n')).toEqual({ source: 'container', name: 'db' });
  });

  it.each([
    ['the root cgroup', '0::/\n'],
    ['a host service', '0::/system.slice/ssh.service\n'],
    ['a user session', '0::/user.slice/user-1000.slice/session-3.scope\n'],
    ['a 32-hex id outside kubepods', '4:memory:/process_api/3d8fcddb3b9acb47b3fdea833eae28de\n0::/\n'],
    ['containerd itself', '0::/system.slice/containerd.service\n'],
    ['empty', ''],
  ])('%s: nobody', (_name, text) => {
    expect(cgroupOwner(text)).toBeNull();
  });
});
