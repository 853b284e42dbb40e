// --registry-map, transient-error classification and platform variants: the pure parts of publishing.
import { describe, expect, it } from 'vitest';
import { isTransient, variantOf } from '../../src/publish/oci.js';
import { installedFromBuildLog } from '../../src/publish/platform-images.js';
import { isLoopback, mapLocation, parseRegistryMap } from '../../src/publish/registry-map.js';

describe('--registry-map', () => {
  const map = parseRegistryMap(['quay.io=127.0.0.1:5001/q', 'quay.io/almalinuxorg=127.0.0.1:5000/almalinuxorg', 'docker.io/almalinux=127.0.0.1:5000/d/']);
  it('replaces the longest matching prefix at a path boundary', () => {
    expect(mapLocation('quay.io/almalinuxorg', map)).toBe('127.0.0.1:5000/almalinuxorg');
    expect(mapLocation('quay.io/other', map)).toBe('127.0.0.1:5001/q/other');
    expect(mapLocation('docker.io/almalinux', map)).toBe('127.0.0.1:5000/d');
    expect(mapLocation('docker.io/almalinuxx', map)).toBe('docker.io/almalinuxx');
    expect(mapLocation('ghcr.io/almalinux', map)).toBe('ghcr.io/almalinux');
  });
  it('rejects malformed entries and duplicates with the entry named', () => {
    expect(() => parseRegistryMap(['docker.io/almalinux'])).toThrow(/"docker.io\/almalinux": expected SRC=DEST/);
    expect(() => parseRegistryMap(['docker.io/almalinux=Local Host'])).toThrow(/DEST must be/);
    expect(() => parseRegistryMap(['a.io/x=127.0.0.1:1/x', 'a.io/x=127.0.0.1:2/x'])).toThrow(/mapped twice/);
  });
  it('treats only loopback hosts as plain HTTP', () => {
    expect(isLoopback('127.0.0.1:5000/x/y:1')).toBe(true);
    expect(isLoopback('localhost/x')).toBe(true);
    expect(isLoopback('quay.io/almalinuxorg/x:1')).toBe(false);
    expect(isLoopback('127.example.org/x')).toBe(false);
  });
});

describe('retries and platforms', () => {
  it('retries network and server errors, not refusals of the request', () => {
    expect(isTransient('dial tcp 127.0.0.1:5000: connect: connection refused')).toBe(true);
    expect(isTransient('received unexpected HTTP status: 503 Service Unavailable')).toBe(true);
    expect(isTransient('unauthorized: authentication required')).toBe(false);
    expect(isTransient('manifest unknown')).toBe(false);
  });
  it('sets the variants podman 4.3 drops', () => {
    expect(variantOf('linux/arm64')).toBe('v8');
    expect(variantOf('linux/amd64/v2')).toBe('v2');
    expect(variantOf('linux/amd64')).toBeUndefined();
  });
  it("reads the build's package list from dnf's Installed: section", () => {
    const log = 'STEP 3/9: RUN dnf install …\nInstalled:\n  bash-5.1.8-9.el9.x86_64     glibc-2.34-100.el9.x86_64\n  tzdata-2024a-1.el9.noarch\n\nComplete!\n';
    expect(installedFromBuildLog(log).map((p) => `${p.name} ${p.arch}`)).toEqual(['bash x86_64', 'glibc x86_64', 'tzdata noarch']);
  });
});
