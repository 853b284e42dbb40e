// The `kickstart { … }` block: every command and section a container kickstart uses, declared in
// definitions, checked, and spelt for each release's pykickstart handler.
import { describe, expect, it } from 'vitest';
import { compileSources, type Compilation } from '../../src/project.js';
import { formatFindings, handlerForReleasever, validateKickstart } from './validate.js';

const AXES = `platform linux/amd64 {
  basearch x86_64
}
${['8', '9', '10'].map((r) => `release ${r} {\n  releasever ${r}\n  builder quay.io/example/el:${r}\n  platforms [linux/amd64]\n}\n`).join('')}
repository baseos {
  baseurl "https://mirror.example.org/el/$releasever/BaseOS/$basearch/os/"
}
repository appstream {
  baseurl "https://mirror.example.org/el/$releasever/AppStream/$basearch/os/"
}
`;

function compile(text: string): Compilation {
  return compileSources('/nonexistent-project-root', new Map([['definitions/axes.alma', AXES], ['definitions/test.alma', text]]));
}

function kickstartsOf(c: Compilation): Map<string, string> {
  expect(c.diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.col} ${d.message}`)).toEqual([]);
  const out = new Map<string, string>();
  for (const [k, v] of c.outputs!) if (k.startsWith('kickstarts/')) out.set(k, v);
  return out;
}

function codes(text: string): string[] {
  return compile(text).diagnostics.map((d) => d.code);
}

const image = (kickstart: string, extra = '') => `image t {
  releases [8, 9, 10]
  install [dnf, bash]
  ${extra}
  kickstart {
${kickstart}
  }
}
`;

const EVERYTHING = `    text
    lang en_US.UTF-8
    keyboard de-nodeadkeys
    timezone Europe/Berlin local-clock
    ntp on servers [ntp1.example.org, 192.0.2.10]
    network bootproto static device eth0 activate onboot off ip 192.0.2.5 netmask 255.255.255.0 gateway 192.0.2.1 nameserver [192.0.2.53] hostname box.example.org noipv6
    firewall enabled service [ssh, http] port ["8080:tcp"]
    selinux permissive
    services enabled [sshd] disabled [kdump, "getty@tty1"]
    bootloader location none
    zerombr
    clearpart linux initlabel
    part / fstype xfs size 4096 grow
    part swap size 512
    rootpw crypted "$6$salt$0123456789abcdefABCDEF./" lock
    reboot
    packages nocore ignoremissing
    addon com_redhat_kdump "--enable" "--reserve-mb=auto"
    addon org_fedora_oscap
    pre "echo pre > /tmp/pre.log" interpreter /usr/bin/bash log "/tmp/pre-install.log" erroronfail
    post-nochroot erroronfail interpreter /bin/bash log "/mnt/sysimage/root/post-nochroot.log"
    post-chroot log "/root/post.log"
    raw-kickstart """
      skipx
      firstboot --disable
      """`;

describe('every kickstart command and section', () => {
  const ks = kickstartsOf(compile(image(EVERYTHING, 'post {\n    mask getty.target\n  }')));

  it('validates strictly for every handler', () => {
    expect(ks.size).toBe(3);
    for (const [file, text] of ks) {
      const releasever = /(\d+)-t\.ks$/.exec(file)![1]!;
      expect(formatFindings(validateKickstart(text, handlerForReleasever(releasever))), file).toBe('');
    }
  });

  it('spells NTP for each dialect', () => {
    expect(ks.get('kickstarts/8-t.ks')).toContain('\ntimezone Europe/Berlin --ntpservers=ntp1.example.org,192.0.2.10\n');
    for (const r of ['9', '10']) {
      const t = ks.get(`kickstarts/${r}-t.ks`)!;
      expect(t).toContain('\ntimezone Europe/Berlin\ntimesource --ntp-server=ntp1.example.org\ntimesource --ntp-server=192.0.2.10\n');
      expect(t).not.toContain('--ntpservers');
    }
  });

  it('writes each declared command once, in kickstart syntax', () => {
    const t = ks.get('kickstarts/9-t.ks')!;
    for (const line of [
      'text',
      'lang en_US.UTF-8',
      'keyboard de-nodeadkeys',
      'network --activate --bootproto=static --device=eth0 --onboot=off --ip=192.0.2.5 --netmask=255.255.255.0 --gateway=192.0.2.1 --nameserver=192.0.2.53 --hostname=box.example.org --noipv6',
      'firewall --enabled --service=ssh,http --port=8080:tcp',
      'selinux --permissive',
      'services --disabled=kdump,getty@tty1 --enabled=sshd',
      'bootloader --location=none',
      'zerombr',
      'clearpart --linux --initlabel',
      'part / --fstype=xfs --size=4096 --grow',
      'part swap --size=512',
      'rootpw --lock --iscrypted $6$salt$0123456789abcdefABCDEF./',
      'reboot',
      '%packages --nocore --excludedocs --exclude-weakdeps --ignoremissing',
      '%addon com_redhat_kdump --enable --reserve-mb=auto',
      '%addon org_fedora_oscap',
      '%pre --erroronfail --interpreter=/usr/bin/bash --log=/tmp/pre-install.log',
      '%post --nochroot --erroronfail --interpreter=/bin/bash --log=/mnt/sysimage/root/post-nochroot.log',
      '%post --log=/root/post.log',
    ]) {
      expect(t.split('\n').filter((l) => l === line), line).toHaveLength(1);
    }
    expect(t).not.toMatch(/^autopart/m);
    expect(t).not.toMatch(/^shutdown/m);
    expect(ks.get('kickstarts/8-t.ks')).toContain('%packages --nocore --excludedocs --excludeWeakdeps --ignoremissing\n');
  });

  it('marks raw kickstart lines and %pre shell as unchecked, naming the definition', () => {
    const t = ks.get('kickstarts/10-t.ks')!;
    expect(t).toContain('\n# raw-kickstart: unchecked kickstart lines from definitions/test.alma (t)\nskipx\nfirstboot --disable\n');
    expect(t).toContain('\n# pre: unchecked shell from definitions/test.alma (t)\n%pre --erroronfail');
  });
});

describe('defaults, inheritance and omit', () => {
  it('emits only the installation source, %packages and %post when nothing is declared', () => {
    const t = kickstartsOf(compile(image(''))).get('kickstarts/9-t.ks')!;
    const lines = t.split('\n');
    const commands = lines.slice(0, lines.findIndex((l) => l.startsWith('%'))).filter((l) => l && !l.startsWith('#'));
    expect(commands).toEqual([
      'url --url=https://mirror.example.org/el/$releasever/BaseOS/$basearch/os/',
      'repo --name=appstream --baseurl=https://mirror.example.org/el/$releasever/AppStream/$basearch/os/',
    ]);
    expect(formatFindings(validateKickstart(t, 'RHEL9'))).toBe('');
  });

  it('lets a child replace a command and drop inherited ones', () => {
    const text = `fragment ks {
  kickstart {
    firewall disabled
    network bootproto dhcp device link activate
    autopart fstype ext4
    shutdown
    addon com_redhat_kdump "--disable"
  }
}
image parent {
  install dnf
  use ks
}
image child extends parent {
  releases [9]
  kickstart {
    network bootproto dhcp device eth0
    omit firewall addon shutdown autopart
    part / fstype xfs size 2048
  }
}
`;
    const t = kickstartsOf(compile(text)).get('kickstarts/9-child.ks')!;
    expect(t).toContain('\nnetwork --bootproto=dhcp --device=eth0\n');
    expect(t).not.toMatch(/^(firewall|shutdown|autopart|%addon)/m);
    expect(t).toContain('\npart / --fstype=xfs --size=2048\n');
  });

  it('takes file names and headers from naming', () => {
    const c = compile(`image t {
  releases [9]
  install dnf
  naming {
    title "Example Linux {release}"
    repository "example/{image}"
    kickstart-file "Example-{release}-{image}.ks"
  }
}
`);
    const t = kickstartsOf(c).get('kickstarts/Example-9-t.ks')!;
    expect(t.split('\n')[0]).toBe('# Kickstart for example/t — Example Linux 9, image "t".');
    expect(c.outputs!.get('containerfiles/9/Containerfile.t')!.split('\n')[0]).toBe('# Containerfile for example/t — Example Linux 9, image "t".');
  });

  it('names nothing of any distribution when naming is not declared', () => {
    const c = compile('image t {\n  releases [9]\n  install dnf\n}\n');
    const t = kickstartsOf(c).get('kickstarts/9-t.ks')!;
    expect(t.split('\n')[0]).toBe('# Kickstart for 9-t — release 9, image "t".');
  });
});

describe('bad kickstart values', () => {
  const cases: [string, string][] = [
    ['lang "en US"', 'E316'],
    ['timezone "Europe/../x"', 'E316'],
    ['ntp maybe', 'E211'],
    ['ntp off servers [a.example.org]', 'E362'],
    ['ntp on servers ["bad host"]', 'E360'],
    ['ntp on servers ["a,b"]', 'E360'],
    ['network bootproto dhcpx', 'E211'],
    ['network bootproto static', 'E362'],
    ['network ip 300.1.1.1', 'E360'],
    ['network device "-x"', 'E360'],
    ['network activat', 'E204'],
    ['firewall disabled service [ssh]', 'E362'],
    ['firewall on', 'E211'],
    ['firewall enabled port ["22/tcp"]', 'E360'],
    ['selinux off', 'E211'],
    ['rootpw "hunter2"', 'E208'],
    ['rootpw crypted "a b"', 'E360'],
    ['bootloader', 'E208'],
    ['services', 'E208'],
    ['services enabled [sshd] disabled [sshd]', 'E362'],
    ['services enabled ["--x"]', 'E360'],
    ['clearpart everything', 'E211'],
    ['autopart type plain nolvm', 'E362'],
    ['autopart fstype ntfs', 'E360'],
    ['part / size 0', 'E360'],
    ['part "/a b"', 'E360'],
    ['packages nocores', 'E204'],
    ['addon "Bad-Name"', 'E360'],
    ['addon com_redhat_kdump "--disable; reboot"', 'E360'],
    ['pre "echo\\n%end\\nreboot"', 'E361'],
    ['pre "true" interpreter "bin/sh"', 'E360'],
    ['post-chroot interpreter /usr/bin/python3', 'E360'],
    ['post-nochroot log "/tmp/a b.log"', 'E360'],
    ['raw-kickstart "%post"', 'E361'],
    ['raw-kickstart "skipx\\u{b}reboot"', 'E360'],
    ['omit kernel', 'E360'],
    ['firewal disabled', 'E201'],
  ];
  for (const [statement, code] of cases) {
    it(`${statement} → ${code}`, () => {
      expect(codes(image(`    ${statement}`))).toContain(code);
    });
  }

  it('reports autopart together with part, naming both', () => {
    const c = compile(image('    autopart fstype ext4\n    part / size 1024'));
    const d = c.diagnostics.find((x) => x.code === 'E420');
    expect(d?.message).toContain('both `autopart` and `part`');
    expect(d?.related?.[0]?.message).toBe('autopart declared here');
  });

  it('rejects kickstart file names that could leave generated/kickstarts', () => {
    expect(codes('image t {\n  releases [9]\n  install dnf\n  naming {\n    kickstart-file "../x.ks"\n  }\n}\n')).toContain('E340');
    expect(codes('image t {\n  releases [9]\n  install dnf\n  naming {\n    kickstart-file "{arch}.ks"\n  }\n}\n')).toContain('E341');
  });

  it('reports two images that would write the same kickstart file', () => {
    const text = 'fragment n {\n  naming {\n    kickstart-file "el-{release}.ks"\n  }\n}\nimage a {\n  releases [9]\n  install dnf\n  use n\n}\nimage b {\n  releases [9]\n  install dnf\n  use n\n}\n';
    const c = compile(text);
    expect(c.diagnostics.map((d) => d.code)).toEqual(['E421']);
    expect(c.diagnostics[0]!.message).toBe('9/b and 9/a would both be written to generated/kickstarts/el-9.ks');
    expect(c.outputs).toBeUndefined();
  });
});
