// A synthetic project shaped like the real one, at scale: the real platforms and releases, two
// repositories, shared fragments (post steps under release and platform conditions, users,
// replace rules, config), abstract bases that concrete images extend, and one image per file
// spread over subdirectories. Deterministic: the same count always gives the same tree.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PLATFORMS = `platform linux/amd64 {
  basearch x86_64
}
platform linux/arm64 {
  basearch aarch64
}
platform linux/ppc64le {
  basearch ppc64le
}
platform linux/s390x {
  basearch s390x
}
platform linux/386 {
  basearch i686
}
`;

const RELEASES = ['8', '9', '10', '10-kitten'];
const releaseText = (r) => `release ${r} {
  releasever ${r.split('-')[0]}
${r.includes('-') ? '' : `  version ${r}.1\n`}  builder quay.io/almalinuxorg/almalinux:${r}
  platforms [linux/386, linux/amd64, linux/ppc64le, linux/s390x, linux/arm64]
}
`;

const REPOSITORIES = ['baseos', 'appstream']
  .map((id) => `repository ${id} {
  name "AlmaLinux $releasever - ${id}"
  baseurl "https://repo.almalinux.org/almalinux/$releasever/${id}/$basearch/os/"
  when release = 10-kitten {
    baseurl "https://kitten.repo.almalinux.org/10-kitten/${id}/$basearch/os/"
  }
  gpgcheck on
}
`)
  .join('\n');

const FRAGMENTS = 40;
const BASES = 100;

function fragment(i) {
  return `fragment frag-${i} {
  post {
    remove /var/log/dnf* /var/cache/frag-${i}
    write /etc/frag-${i}.conf """
      # fragment ${i}
      KEY=value-${i}
      """
    when release >= 9 {
      mkdir /var/lib/frag-${i} mode 0750
      group grp${i} gid ${1000 + i} system
      user usr${i} uid ${1000 + i} gid ${1000 + i} system comment "Fragment ${i} user" shell /usr/sbin/nologin home / no-create-home
    }
    when platform = linux/386 and release <= 9 {
      replace /etc/yum.repos.d/*.repo {
        rule "mirrorlist=" -> "# mirrorlist="
        rule "repo.almalinux.org/almalinux" -> "vault.almalinux.org"
      }
    }
    symlink /etc/frag-${i}.link -> ../usr/share/frag-${i}
  }
${i + 1 < FRAGMENTS && i % 4 !== 3 ? `  use frag-${i + 1}\n` : ''}  config {
    env FRAG_${i} "on"
  }
}
`;
}

function base(i) {
  return `image base-${i} {
  description "Abstract base ${i}"
  use frag-${(i * 3) % FRAGMENTS}
  install [bash, coreutils-single, glibc-minimal-langpack, dnf, rootfiles, tar]
  when release = 8 {
    install [langpacks-en, which]
  } else {
    install [curl-minimal, libcurl-minimal]
  }
  when release >= 9 {
    reinstall krb5-libs langs en_US.UTF-8
  }
  config {
    cmd ["/bin/bash"]
  }
}
`;
}

function image(i) {
  const release = RELEASES[i % RELEASES.length];
  return `# Synthetic image ${i}.
image img-${i} extends base-${i % BASES} {
  description "Synthetic image number ${i}"
  releases [${release}]
  install [pkg-${i}, tool-${i % 97}]
  use frag-${i % FRAGMENTS}
  post {
    write /etc/img-${i}.conf "id=${i}\\n"
    touch /etc/.img-${i} mode 0600
    when release >= 10 {
      remove /usr/share/locale/xx-${i}*
    }
  }
  config {
    label org.example.image "img-${i}"
    label org.example.version "{version}"
  }
  assert {
    package-installed pkg-${i}
  }
}
`;
}

/** Writes a project with `images` concrete images under root/definitions; returns the file count. */
export function writeSyntheticProject(root, images) {
  const files = new Map();
  files.set('definitions/platforms-and-releases.alma', PLATFORMS + RELEASES.map(releaseText).join('\n'));
  files.set('definitions/repositories.alma', REPOSITORIES);
  for (let i = 0; i < FRAGMENTS; i++) files.set(`definitions/fragments/frag-${i}.alma`, fragment(i));
  for (let i = 0; i < BASES; i++) files.set(`definitions/bases/base-${i}.alma`, base(i));
  for (let i = 0; i < images; i++) files.set(`definitions/images/${String(Math.floor(i / 100)).padStart(3, '0')}/img-${i}.alma`, image(i));
  for (const [p, text] of files) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return files.size;
}

/**
 * A project whose fragments add up to about `megabytes` MB: 1,000 fragments of post-install steps
 * (files written from text blocks, removals, directories), each used by one of 10 images.
 * Returns the file count and the fragments' total size in bytes.
 */
export function writeFragmentProject(root, megabytes) {
  const files = new Map();
  files.set('definitions/platforms-and-releases.alma', PLATFORMS + RELEASES.map(releaseText).join('\n'));
  files.set('definitions/repositories.alma', REPOSITORIES);
  const count = 1000;
  const perFragment = Math.ceil((megabytes * 1024 * 1024) / count);
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const steps = [];
    for (let j = 0, size = 0; size < perFragment; j++) {
      const lines = Array.from({ length: 16 }, (_, k) => `      setting-${j}-${k} = value for fragment ${i}, file ${j}, line ${k}`).join('\n');
      const step = `    write /etc/frag-${i}/file-${j}.conf """\n${lines}\n      """ mode 0644\n    remove /var/cache/frag-${i}-${j}\n    mkdir /var/lib/frag-${i}/d${j}\n`;
      steps.push(step);
      size += step.length;
    }
    const text = `fragment big-${i} {\n  post {\n${steps.join('')}  }\n}\n`;
    bytes += text.length;
    files.set(`definitions/fragments/big-${String(i).padStart(4, '0')}.alma`, text);
  }
  for (let n = 0; n < 10; n++) {
    const uses = Array.from({ length: count / 10 }, (_, k) => `  use big-${n * (count / 10) + k}`).join('\n');
    files.set(`definitions/images/user-${n}.alma`, `image user-${n} {\n  description "Uses ${count / 10} big fragments"\n  releases [${RELEASES[n % RELEASES.length]}]\n  install [bash, coreutils-single, dnf]\n${uses}\n}\n`);
  }
  for (const [p, text] of files) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return { files: files.size, bytes };
}
