// Every diagnostic code almac can emit: what it means, a definition that triggers it, and how to
// fix it. `almac explain CODE` prints an entry; grammar/diagnostics.md is generated from this list
// (a test keeps the two equal); another test fails when a source file uses a code missing here.
// Examples assume the declarations `release 9`, `release 10` and platforms linux/amd64,
// linux/arm64 and linux/386, and are compiled by the test suite to check they report their code.

export interface CatalogEntry {
  code: string;
  title: string;
  /** A definition (or, when `verify` is false, a situation) that triggers the code. */
  example: string;
  fix: string;
  /** false when the example is not a small definition (files, limits); it is then not compiled. */
  verify?: false;
}

const withRegistry = (naming: string) =>
  `registry one.example {\n  location one.example/ns\n}\nimage app {\n  releases [9]\n  install dnf\n  naming {\n${naming}\n  }\n}`;
const img = (body: string) => `image app {\n  releases [9]\n  install dnf\n${body}\n}`;

export const CATALOG: CatalogEntry[] = [
  // ---- reading and parsing ------------------------------------------------------------------
  { code: 'E001', title: 'a definition file contains a NUL byte', example: 'A file saved by a tool that writes UTF-16, or a binary file named *.alma.', fix: 'Save the file as UTF-8 text.', verify: false },
  { code: 'E002', title: 'a character that starts no token', example: img('  install dnf !x'), fix: 'Remove the character, or put the value in quotes.' },
  { code: 'E003', title: 'a string or text block that is never closed', example: img('  description "an image'), fix: 'Close the string with `"` on the same line; close a text block with `"""` on a line of its own.' },
  { code: 'E004', title: 'an unknown escape in a string', example: img('  description "C:\\\\path is \\q"'), fix: 'Use one of the escapes \\n \\t \\r \\\\ \\" \\$ \\0 \\u{HEX}, or write `\\\\` for a backslash.' },
  { code: 'E005', title: 'text on the line of an opening `"""`', example: img('  post {\n    write /etc/motd """hello\n      """\n  }'), fix: 'Start the text on the line after the opening `"""`.' },
  { code: 'E010', title: 'a syntax error', example: img('  install [dnf, bash'), fix: 'Write what the message expects: close lists with `]`, conditions look like `release >= 9`, `else` follows `}` on the same line.' },
  { code: 'E011', title: 'blocks nested more than 64 levels deep', example: 'A `post { post { … } }` nesting 65 levels deep.', fix: 'Split the definition into fragments and `use` them.', verify: false },
  { code: 'E012', title: 'more than 100 syntax errors in one file', example: 'A file that is not a definition at all, named *.alma.', fix: 'Fix the first errors and run almac again; the rest of the file was not checked.', verify: false },
  { code: 'E013', title: 'a `{` that is never closed', example: 'image app {\n  releases [9]\n  install dnf\n  post {\n    touch /etc/app\n\n  config {\n    cmd ["/bin/sh"]\n  }\n}', fix: 'Add the `}` that closes the block named in the message, where that block ends.' },
  // ---- finding and reading files ------------------------------------------------------------
  { code: 'E100', title: 'no definitions found', example: 'Running almac in a directory without definitions/*.alma.', fix: 'Run almac from the project root, or pass `--root DIR`.', verify: false },
  { code: 'E101', title: 'a definition file cannot be read or is not UTF-8', example: 'definitions/images/app.alma saved as Latin-1, or unreadable by the current user.', fix: 'Save the file as UTF-8 and make it readable.', verify: false },
  { code: 'E102', title: 'a symbolic link below definitions/', example: 'definitions/images/app.alma -> /elsewhere/app.alma', fix: 'Copy the file into definitions/; links are never followed, so definitions cannot depend on files outside the project.', verify: false },
  { code: 'E103', title: 'a file name with a control character or line break', example: 'A file named "app\\n.alma" below definitions/.', fix: 'Rename the file.', verify: false },
  // ---- statements ---------------------------------------------------------------------------
  { code: 'E104', title: 'a definition file name that is not valid UTF-8', example: 'A file under definitions/ whose name holds bytes such as 0xff (copied from a system with another encoding).', fix: 'Rename the file to a UTF-8 name; the diagnostic shows the offending bytes as \\x{…}.', verify: false },
  { code: 'E105', title: 'a special file (FIFO, socket, device) under definitions/', example: 'A named pipe created with `mkfifo definitions/images/pipe.alma`.', fix: 'Remove it: definitions are regular files. almac never opens such a file, so it cannot hang on it.', verify: false },
  { code: 'E201', title: 'an unknown statement', example: img('  instal bash'), fix: 'Use one of the statements the message lists (usually the suggested spelling).' },
  { code: 'E202', title: 'a statement that takes no block was given one', example: img('  install bash {\n  }'), fix: 'Remove the `{ … }`.' },
  { code: 'E203', title: 'a block statement without its block', example: img('  post'), fix: 'Write `post { … }`.' },
  { code: 'E204', title: 'an unknown option', example: img('  post {\n    mkdir /srv mod 0755\n  }'), fix: 'Use an option the statement has (the message suggests the closest); quote a value that looks like an option.' },
  { code: 'E205', title: 'an option given twice', example: img('  post {\n    mkdir /srv mode 0755 mode 0700\n  }'), fix: 'Keep one of them.' },
  { code: 'E206', title: 'an option without its value', example: img('  post {\n    mkdir /srv mode\n  }'), fix: 'Write the value after the option: `mode 0755`.' },
  { code: 'E207', title: 'an option that takes one value was given a list', example: img('  post {\n    mkdir /srv mode [0755, 0700]\n  }'), fix: 'Give a single value.' },
  { code: 'E208', title: 'a statement is missing a value', example: img('  post {\n    chmod /srv\n  }'), fix: 'Add what the message expects; the hint shows the statement\'s usage.' },
  { code: 'E209', title: 'a statement has an extra value', example: img('  description "one" "two"'), fix: 'Remove the extra value, or quote text that contains spaces.' },
  { code: 'E210', title: 'a list or `->` where a single value belongs', example: img('  config {\n    env [LANG] "C.UTF-8"\n  }'), fix: 'Give a single value.' },
  { code: 'E211', title: 'a switch that is not `on` or `off`', example: img('  docs maybe'), fix: 'Write `on` or `off`.' },
  { code: 'E212', title: '`when` at the top level of a file', example: 'when release = 9 {\n  image app {\n  }\n}', fix: 'Put the condition inside the image or fragment it belongs to.' },
  { code: 'E220', title: 'a duplicate name', example: 'fragment app {\n}\nimage app {\n  releases [9]\n  install dnf\n}', fix: 'Rename one of them; images and fragments share one namespace, as do releases, platforms and repositories each.' },
  { code: 'E221', title: 'an invalid release or platform name', example: 'release nine {\n  releasever 9\n}', fix: 'Releases are named like 9, 9.4 or 10-kitten; platforms like linux/amd64 or linux/arm/v7.' },
  { code: 'E222', title: 'a release without `releasever`', example: 'release 11 {\n  builder quay.io/example/os:11\n}', fix: 'Add `releasever N`, the value dnf receives as --releasever.' },
  { code: 'E223', title: 'a fragment that extends something', example: 'fragment extra extends app {\n}', fix: 'Fragments cannot inherit; `use` other fragments inside the fragment\'s block.' },
  { code: 'E230', title: 'an unknown parent image', example: 'image app extends bsae {\n  releases [9]\n}', fix: 'Name an existing image (the message suggests the closest).' },
  { code: 'E231', title: 'an unknown fragment', example: img('  use comon'), fix: 'Name an existing fragment (the message suggests the closest).' },
  { code: 'E232', title: 'an unknown repository', example: img('  repositories [baseos]'), fix: 'Declare the repository with `repository ID { … }`, or name a declared one.' },
  { code: 'E233', title: 'a cycle of `extends`', example: 'image a extends b {\n}\nimage b extends a {\n}', fix: 'Break the cycle: an image cannot be its own ancestor.' },
  { code: 'E234', title: 'a cycle of `use`', example: 'fragment a {\n  use b\n}\nfragment b {\n  use a\n}', fix: 'Break the cycle: a fragment cannot use itself, directly or through others.' },
  // ---- values -------------------------------------------------------------------------------
  { code: 'E301', title: 'an unknown axis in a condition', example: img('  when relase = 9 {\n    install bash\n  }'), fix: 'Conditions compare `release` or `platform`.' },
  { code: 'E302', title: 'an undeclared release or platform', example: img('  when release = 11 {\n    install bash\n  }'), fix: 'Use a declared one (the message suggests the closest), or declare it: `release 11 { releasever 11 … }`, `platform linux/mips64le { basearch mips64el }`.' },
  { code: 'E303', title: 'platforms compared with an order', example: img('  post {\n    when platform >= linux/amd64 {\n      touch /x\n    }\n  }'), fix: 'Platforms have no order: use `=`, `!=` or `in [...]`.' },
  { code: 'E304', title: 'a platform condition where only releases can vary', example: 'repository baseos {\n  when platform = linux/386 {\n    baseurl "https://example.org/i686/"\n  }\n}', fix: 'Repositories and settings vary by release only; use `$basearch` in URLs for per-architecture paths.' },
  { code: 'E305', title: 'a platform condition around something other than post steps', example: img('  when platform = linux/386 {\n    install bash\n  }'), fix: 'One Containerfile serves every platform, so only `post` steps can depend on it; put the condition inside `post { … }`.' },
  { code: 'E310', title: 'an invalid path, symlink target or glob', example: img('  post {\n    remove "/tmp/{a,b}"\n  }'), fix: 'Paths are absolute, without `.`/`..` or empty segments. Globs (in `remove`, `delete-lines`, `replace`) use `*`, `?` and `[...]` only; list paths instead of `{a,b}`, write `[!x]` not `[^x]`.' },
  { code: 'E311', title: 'an invalid file mode', example: img('  post {\n    mkdir /srv mode u+rwx\n  }'), fix: 'Modes are three or four octal digits: `0755`.' },
  { code: 'E312', title: 'file content that is not a string', example: img('  post {\n    write /etc/motd 42\n  }'), fix: 'Quote the content: `"42\\n"`, or use a text block.' },
  { code: 'E313', title: 'file content with a NUL byte', example: img('  post {\n    write /etc/motd "a\\0b"\n  }'), fix: 'File contents are text; remove the NUL.' },
  { code: 'E314', title: 'an invalid number (uid, gid)', example: img('  post {\n    group app gid abc\n  }'), fix: 'Give a whole number, e.g. `gid 995`.' },
  { code: 'E315', title: 'an invalid user or group name', example: img('  post {\n    user App\n  }'), fix: 'Names use lower-case letters, digits, _ and -, start with a letter or _, and are at most 32 characters.' },
  { code: 'E316', title: 'an invalid value for a setting or option', example: img('  install-langs "en US"'), fix: 'Give a value of the kind the message expects (a locale such as en_US.UTF-8, an image reference, a timezone…).' },
  { code: 'E317', title: 'an invalid systemd unit name', example: img('  post {\n    mask getty\n  }'), fix: 'Unit names end in .service, .target, .mount, .socket, … and do not start with `-`.' },
  { code: 'E318', title: '`remove` of the whole image root', example: img('  post {\n    remove /*\n  }'), fix: 'Name the directories to remove.' },
  { code: 'E319', title: 'an invalid `raw-shell` script', example: img('  post {\n    raw-shell "a\\0b"\n  }'), fix: 'Scripts are text without NUL bytes.' },
  { code: 'E320', title: 'an invalid package name', example: img('  install "bash;reboot"'), fix: 'RPM names use letters, digits and . _ + -; globs use `*`, `?` and `[...]`; groups start with @; exclude with `exclude NAME`, not `-NAME`.' },
  { code: 'E321', title: 'a group where only packages are accepted', example: img('  remove @core'), fix: 'Groups can be installed or excluded only; name the packages.' },
  { code: 'E322', title: 'a package name split by a space', example: img('  install [python3, python3- pip]'), fix: 'Write the name without the space (`python3-pip`), or use a glob such as `python3-*`.' },
  { code: 'E330', title: 'an invalid ENV name or LABEL key', example: img('  config {\n    env 1PATH "/bin"\n  }'), fix: 'ENV names use letters, digits and _ and do not start with a digit; label keys use letters, digits and . _ / -.' },
  { code: 'E331', title: 'an ENV or LABEL value that is not one line', example: img('  config {\n    env MOTD "a\\nb"\n  }'), fix: 'Values are single lines; write multi-line text into a file with `write`.' },
  { code: 'E332', title: 'an invalid user, workdir or stop signal', example: img('  config {\n    stopsignal TERMINATE\n  }'), fix: 'A signal such as SIGTERM or SIGRTMIN+3; a user such as root, 1001 or app:app; an absolute working directory.' },
  { code: 'E340', title: 'an invalid repository name or tag template', example: 'image app {\n  releases [9]\n  install dnf\n  naming {\n    tag "latest version"\n  }\n}', fix: 'Use letters, digits, . _ - / and {placeholders}.' },
  { code: 'E341', title: 'an unknown placeholder', example: img('  config {\n    label version "{relase}"\n  }'), fix: 'Placeholders are {release}, {version}, {releasever} and {image} ({date} in tags only).' },
  { code: 'E342', title: 'an invalid regular expression in `command-output`', example: img('  assert {\n    command-output ["cat", "/etc/os-release"] matches "(unclosed"\n  }'), fix: 'Write a valid JavaScript regular expression.' },
  { code: 'E343', title: 'an invalid `official-library` value', example: 'An `official-library { … }` value that is not a valid library name, git repository, maintainer or tag.', fix: 'Give a value of the kind the message expects.', verify: false },
  { code: 'E350', title: 'an invalid repository URL', example: 'repository baseos {\n  baseurl "mirror.example.org/os/"\n}', fix: 'URLs start with http://, https://, ftp:// or file:// and are printable ASCII without quotes, backslashes or `#`.' },
  { code: 'E360', title: 'an invalid kickstart value', example: 'A kickstart setting whose value has blanks, quotes, `$`, `#` or a comma where kickstart cannot carry them.', fix: 'Give each item separately and without those characters.', verify: false },
  { code: 'E361', title: 'a raw kickstart line that would start or end a section', example: 'A raw kickstart line such as `%end` or `%post`.', fix: 'Declare sections with their statements; raw lines cannot open or close sections.', verify: false },
  { code: 'E362', title: 'kickstart options that contradict each other', example: '`ntp off` with servers, `firewall disabled` with services, `bootproto static` without `ip`.', fix: 'Remove the contradicting option, or switch the setting on.', verify: false },
  // ---- whole images ---------------------------------------------------------------------------
  { code: 'E370', title: 'a registry location that is not HOST/NAMESPACE', example: 'registry quay.io {\n  location "Quay.io"\n}', fix: 'Write the registry host (lower case, optionally with a port) and the namespace: `location quay.io/almalinuxorg`.' },
  { code: 'E371', title: 'publishing to a registry that is not declared', example: withRegistry('    tags [latest]\n    publish [one.exmaple] as app'), fix: 'Use a declared registry name (the message suggests the closest), or declare it: `registry NAME { location HOST/NAMESPACE }`.' },
  { code: 'E401', title: 'a package both installed and removed or excluded', example: img('  install python3\n  exclude "python3*"'), fix: 'Install or remove each package, not both. `omit NAME` drops a package a parent installs; narrow a glob that matches an installed name.' },
  { code: 'E402', title: '`omit` of a package no parent installs', example: 'image app {\n  releases [9]\n  install dnf\n  omit bash\n}', fix: 'Check the spelling, or remove the line.' },
  { code: 'E403', title: 'microdnf asked to install a group', example: 'image app {\n  releases [9]\n  package-manager microdnf\n  install [microdnf, @core]\n}', fix: 'List the group\'s packages, or use `package-manager dnf`.' },
  { code: 'E404', title: 'an option microdnf does not support', example: 'image app {\n  releases [9]\n  package-manager microdnf\n  install microdnf\n  post {\n    install [bash] allow-erasing\n  }\n}', fix: 'Use `package-manager dnf`, or remove the option.' },
  { code: 'E405', title: 'the package manager is not installed', example: 'image app {\n  releases [9]\n  install bash\n}', fix: 'Install it (`install dnf`), or set `package-manager none`.' },
  { code: 'E406', title: 'a platform the release does not build', example: 'image app {\n  releases [10]\n  install dnf\n  platforms [linux/386]\n}', fix: 'Add the platform to the release\'s `platforms`, or put the setting under `when release …`.' },
  { code: 'E407', title: 'no builder image', example: 'release 11 {\n  releasever 11\n  platforms [linux/amd64]\n}\nimage app {\n  releases [11]\n  install dnf\n}', fix: 'Add `builder IMAGE` to the release (or to the image).' },
  { code: 'E408', title: 'an image that installs no packages', example: 'image app {\n  releases [9]\n  package-manager none\n}', fix: 'Add at least one `install`.' },
  { code: 'E409', title: 'a step inside the image that depends on the platform', example: img('  post {\n    when platform = linux/386 {\n      mask getty.target\n    }\n  }'), fix: 'Steps that run inside the image (`mask`, `set-default-target`) cannot depend on the platform; make them unconditional.' },
  { code: 'E411', title: 'a repository without a URL for a release', example: 'repository baseos {\n  when release = 10 {\n    baseurl "https://example.org/10/"\n  }\n}\nimage app {\n  releases [9]\n  install dnf\n}', fix: 'Give it a `baseurl` or `mirrorlist` for every release that uses it.' },
  { code: 'E412', title: '`extends` chains more than 64 images deep', example: '65 images, each extending the next.', fix: 'Share statements through fragments (`use`) instead of long inheritance chains.', verify: false },
  { code: 'E413', title: '`use` nests fragments more than 64 deep', example: '65 fragments, each using the next.', fix: 'Flatten the chain of fragments.', verify: false },
  { code: 'E414', title: 'an image that expands to more than 100,000 statements', example: 'Fragments that each use the next one several times, many levels deep.', fix: 'A fragment used several times is expanded each time; stop using the same fragment repeatedly.', verify: false },
  { code: 'E415', title: 'an inconsistent official library entry', example: 'Official library membership that the image set cannot satisfy (see the message).', fix: 'Follow the hint in the message.', verify: false },
  { code: 'E420', title: 'a kickstart with both `autopart` and `part`', example: 'An image whose kickstart block declares `autopart` and, inherited or its own, a `part` line.', fix: 'Keep one: `omit autopart` in the image that declares `part`, or drop the `part` lines.', verify: false },
  { code: 'E421', title: 'two images would write the same kickstart file', example: 'Two images whose `naming { kickstart-file … }` fill in to the same name for one release.', fix: 'Give the file name a placeholder that tells them apart, such as `{image}`.', verify: false },
  { code: 'E430', title: 'a tag outside the OCI tag grammar', example: withRegistry('    tags ["-{version}"]\n    publish one.example as app'), fix: 'Tags are up to 128 characters of letters, digits, `_`, `.` and `-`, starting with a letter, digit or `_`, once placeholders are filled in.' },
  { code: 'E431', title: 'a repository name the registry would reject', example: withRegistry('    tags [a]\n    publish one.example as "{release}__-x"'), fix: 'Repository names are lower-case path components separated by `/`: letters and digits joined by single `.`, `_`, `__` or `-` runs.' },
  { code: 'E432', title: 'two images would push the same reference', example: 'Two images publishing to the same registry under the same repository name with a tag in common.', fix: 'Give each image its own repository name (`publish REG as "{release}-{image}"`) or tags that tell them apart.', verify: false },
  { code: 'E440', title: '`drop` of something nothing inherited has', example: 'image app {\n  releases [9]\n  install dnf\n  config {\n    drop cmd\n  }\n}', fix: 'Check the spelling: `almac print IMAGE` shows the inherited config, steps (with their fragment) and assertions. An assertion is dropped exactly as the parent wrote it.' },
  { code: 'E441', title: '`package-absent` of a package the image installs', example: 'image python {\n  releases [9]\n  install [dnf, python3]\n  assert {\n    package-absent python3\n  }\n}', fix: 'If the image is meant to have the package, drop the inherited assertion: `assert { drop package-absent python3 }`; otherwise do not install it.' },
  { code: 'E442', title: '`package-installed` of a package the image excludes or removes', example: img('  exclude "python3*"\n  assert {\n    package-installed python3-libs\n  }'), fix: 'Drop the assertion (`assert { drop package-installed NAME }`) or stop excluding or removing the package.' },
  { code: 'E443', title: 'a config value set twice in one image', example: img('  config {\n    user app\n    user root\n  }'), fix: 'Set it once. A child image replaces an inherited value by setting it, and takes it away with `drop`.' },
  // ---- formatting -----------------------------------------------------------------------------
  { code: 'E901', title: '`almac fmt` refused to rewrite a file', example: 'A file whose layout the formatter cannot reproduce without changing its syntax tree or comments.', fix: 'The file is left as it was; please report it with the file attached.', verify: false },
];

const BY_CODE = new Map(CATALOG.map((e) => [e.code, e]));

export function catalogEntry(code: string): CatalogEntry | undefined {
  return BY_CODE.get(code.toUpperCase());
}

const fence = (s: string) => '```alma\n' + s + '\n```';

/** One entry, as `almac explain` prints it and as grammar/diagnostics.md shows it. */
export function explainText(e: CatalogEntry): string {
  return [`${e.code}: ${e.title}`, '', 'Example:', '', ...e.example.split('\n').map((l) => `    ${l}`), '', `Fix: ${e.fix}`, ''].join('\n');
}

export function catalogMarkdown(): string {
  const out = [
    '# Diagnostic codes',
    '',
    '<!-- Generated from src/diagnostics/catalog.ts by `npm run docs:diagnostics`; a test keeps them equal. -->',
    '',
    'Every code almac reports, with a definition that triggers it and how to fix it. `almac explain CODE`',
    'prints the same entry. Examples assume `release 9`, `release 10` and platforms linux/amd64,',
    'linux/arm64 and linux/386 declared elsewhere.',
    '',
    '| code | meaning |',
    '|:--|:--|',
    ...CATALOG.map((e) => `| [${e.code}](#${e.code.toLowerCase()}) | ${e.title.replace(/\|/g, '\\|')} |`),
    '',
  ];
  for (const e of CATALOG) {
    out.push(`## ${e.code}`, '', `**${e.title}**`, '', e.verify === false ? e.example : fence(e.example), '', `Fix: ${e.fix}`, '');
  }
  return out.join('\n');
}
