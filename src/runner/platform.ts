// A platform's OCI triple (os, architecture, variant), the one place that knows which variants an
// engine drops and must be set explicitly: podman 4.3 builds linux/amd64/v2 and linux/arm64 images
// without a variant, while manifest lists and registries expect `v2` / `v8`.
export interface OciPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

/** `linux/arm64` → { os: linux, architecture: arm64, variant: v8 }; `linux/amd64/v2` → …, variant v2. */
export function ociPlatform(name: string): OciPlatform {
  const [os = 'linux', architecture = '', given] = name.split('/');
  const variant = given ?? (architecture === 'arm64' ? 'v8' : undefined);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** The variant a manifest list entry of `platform` carries (undefined: none). */
export function variantOf(platform: string): string | undefined {
  return ociPlatform(platform).variant;
}

/** Whether an image whose config says `architecture` (and `os`) can serve as a builder for `platform`. */
export function architectureMatches(platform: string, image: { architecture?: string; os?: string }): boolean {
  const want = ociPlatform(platform);
  return (image.architecture ?? '') === want.architecture && (image.os ?? want.os) === want.os;
}
