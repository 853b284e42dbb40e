// Docker Official Images' architecture names (bashbrew's architecture/oci-platform.go) for OCI
// platforms. A platform without a DOI name (linux/amd64/v2) is not part of a library file.

export const BASHBREW_ARCHITECTURES = ['amd64', 'arm32v5', 'arm32v6', 'arm32v7', 'arm64v8', 'i386', 'mips64le', 'ppc64le', 'riscv64', 's390x', 'windows-amd64'] as const;

export interface OciPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

/** `linux/arm64` → { os: linux, architecture: arm64 }. */
export function parsePlatform(name: string): OciPlatform {
  const [os = '', architecture = '', variant] = name.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** The DOI name of a platform, or undefined when Docker Official Images has none for it. */
export function doiArchitecture(p: OciPlatform): string | undefined {
  if (p.os !== 'linux') return undefined;
  switch (p.architecture) {
    case 'amd64':
      return p.variant && p.variant !== 'v1' ? undefined : 'amd64';
    case 'arm64':
      return !p.variant || p.variant === 'v8' ? 'arm64v8' : undefined;
    case 'arm':
      return p.variant === 'v5' ? 'arm32v5' : p.variant === 'v6' ? 'arm32v6' : p.variant === 'v7' ? 'arm32v7' : undefined;
    case '386':
      return 'i386';
    case 'ppc64le':
    case 's390x':
    case 'riscv64':
    case 'mips64le':
      return p.variant ? undefined : p.architecture;
  }
  return undefined;
}
