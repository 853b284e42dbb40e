// How a review names and compares build steps. Two steps are the same when their operation and
// platform condition are the same; where they were written (origin, fragment) does not matter.
import type { Operation, Step } from '../model/spec.js';

/** JSON with object keys sorted: equal values give equal text, whatever order fields were set in. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export interface ReviewStep {
  /** Exact identity: operation, platform condition and stage. */
  identity: string;
  /** What a changed step is paired by: the operation and the thing it acts on. */
  key: string;
  /** One readable line. */
  text: string;
}

export function reviewSteps(steps: Step[], insideImage: boolean): ReviewStep[] {
  return steps.map((s) => {
    const platforms = s.when?.platforms ?? null;
    const suffix = `${platforms ? `  [only on ${platforms.join(', ')}]` : ''}${insideImage ? '  (inside the image)' : ''}`;
    return {
      identity: stableJson({ operation: s.operation, platforms, insideImage }),
      key: `${operationTarget(s.operation)}${insideImage ? ' (inside the image)' : ''}`,
      text: operationText(s.operation) + suffix,
    };
  });
}

/** The operation and what it acts on when it acts on one thing: "write /etc/hostname". */
function operationTarget(op: Operation): string {
  const o = op as Record<string, unknown>;
  const target = o['path'] ?? o['name'] ?? o['dest'] ?? o['target'];
  return typeof target === 'string' ? `${op.op} ${target}` : op.op;
}

const q = (s: string) => JSON.stringify(s);
const words = (xs: string[]) => xs.join(' ');
const mode = (m: string | undefined) => (m ? ` mode ${m}` : '');

/** The operation as one line, close to how it is written in a definition. */
export function operationText(op: Operation): string {
  switch (op.op) {
    case 'write':
      return `write ${op.path}${mode(op.mode)}${op.append ? ' append' : ''} ${q(op.content)}`;
    case 'touch':
    case 'mkdir':
      return `${op.op} ${words(op.paths)}${mode(op.mode)}`;
    case 'chmod':
      return `chmod ${words(op.paths)} mode ${op.mode}`;
    case 'remove':
      return `remove ${words(op.paths)}`;
    case 'symlink':
      return `symlink ${op.path} -> ${op.target}`;
    case 'group':
      return `group ${op.name}${op.gid !== undefined ? ` gid ${op.gid}` : ''}${op.system ? ' system' : ''}${op.password !== undefined ? ` password ${q(op.password)}` : ''}`;
    case 'user':
      return [
        `user ${op.name}`,
        op.uid !== undefined ? `uid ${op.uid}` : '',
        op.gid !== undefined ? `gid ${op.gid}` : '',
        op.system ? 'system' : '',
        op.comment !== undefined ? `comment ${q(op.comment)}` : '',
        op.shell ? `shell ${op.shell}` : '',
        op.home ? `home ${op.home}` : '',
        op.createHome ? '' : 'no-create-home',
        op.password !== undefined ? `password ${q(op.password)}` : '',
      ].filter(Boolean).join(' ');
    case 'delete-lines':
      return `delete-lines ${op.path} matching ${q(op.matching)}`;
    case 'replace':
      return `replace ${op.path} ${op.rules.map((r) => `${q(r.pattern)} -> ${q(r.replacement)}`).join(', ')}`;
    case 'tmpfiles':
      return `tmpfiles ${words(op.configs)}`;
    case 'timestamp':
      return `timestamp ${op.path} format ${q(op.format)}`;
    case 'copy-from-builder':
      return `copy-from-builder ${words(op.sources)} to ${op.dest} mode ${op.mode}`;
    case 'set-default-target':
      return `set-default-target ${op.target}`;
    case 'mask':
      return `mask ${words(op.units)}`;
    case 'builder-write':
      return `builder-write ${op.path} ${q(op.content)}`;
    case 'builder-remove':
      return `builder-remove ${words(op.paths)}`;
    case 'builder-install':
      return `builder-install ${words(op.packages)}`;
    case 'install':
      return `install${op.allowErasing ? ' allow-erasing' : ''} ${words(op.packages)}`;
    case 'enable-repos':
      return `enable-repos matching ${words(op.matching)}${op.except.length ? ` except ${words(op.except)}` : ''}`;
    case 'shell':
      return `shell ${q(op.script)}`;
    case 'upgrade':
    case 'clean-metadata':
      return op.op;
    default: {
      // An operation this module does not know yet still gets an exact, readable line.
      const { op: name, ...rest } = op as { op: string };
      return `${name} ${stableJson(rest)}`;
    }
  }
}
