import { compileSources } from './dist/project.js';
const tryit = (name, text) => {
  const t0 = performance.now();
  try {
    const c = compileSources('/x', new Map([['definitions/a.alma', text]]));
    console.log(name, 'ok', (performance.now() - t0).toFixed(0) + 'ms', c.diagnostics.length, c.diagnostics[0]?.code, c.diagnostics[0]?.message.slice(0, 80));
  } catch (e) { console.log(name, 'THROW', e.constructor.name, String(e.message).slice(0, 100)); }
};
const N = 20000;
tryit('braces', 'image a {\n'.repeat(N));
tryit('braces-closed', 'image a {\n'.repeat(N) + '}\n'.repeat(N));
tryit('lists', 'image a [' + '['.repeat(N));
tryit('parens', 'image a {\n when ' + '('.repeat(N) + 'release = 8' + ')'.repeat(N) + ' {\n}\n}\n');
tryit('nots', 'image a {\n when ' + 'not '.repeat(N) + 'release = 8 {\n}\n}\n');
tryit('ands', 'release 8 {\n releasever 8\n}\nimage a {\n when ' + 'release = 8 and '.repeat(N) + 'release = 8 {\n}\n}\n');
tryit('ors', 'release 8 {\n releasever 8\n}\nimage a {\n when ' + 'release = 8 or '.repeat(N) + 'release = 8 {\n}\n}\n');
tryit('elsewhen', 'release 8 {\n releasever 8\n}\nimage a {\n releases [8]\n install bash\n' + 'when release = 8 {\n} else '.repeat(N) + '{\n}\n}\n');
tryit('extends chain', 'release 8 {\n releasever 8\n builder a/b\n}\n' + Array.from({length: 5000}, (_, i) => `image i${i} extends i${i+1} {\n}\n`).join('') + 'image i5000 {\n releases [8]\n install bash yum\n}\n');
tryit('use chain', 'release 8 {\n releasever 8\n builder a/b\n}\n' + Array.from({length: 5000}, (_, i) => `fragment f${i} {\n use f${i+1}\n}\n`).join('') + 'fragment f5000 {\n install bash\n}\nimage x {\n releases [8]\n install yum\n use f0\n}\n');
tryit('diamond', 'release 8 {\n releasever 8\n builder a/b\n}\n' + Array.from({length: 30}, (_, i) => `fragment f${i} {\n use f${i+1}\n use f${i+1}\n}\n`).join('') + 'fragment f30 {\n install bash\n}\nimage x {\n releases [8]\n install yum\n use f0\n}\n');
tryit('quote', '"'.repeat(N));
tryit('textblock', '"""'.repeat(N));
tryit('longword', 'a'.repeat(1e6));
tryit('parenword', 'image a(' + '('.repeat(N));
tryit('backslashes', '\\\n'.repeat(N));
tryit('cr', 'image a {\r\r\r\n}\r\n');
tryit('lone surrogate', 'image \ud800 {\n}\n');
