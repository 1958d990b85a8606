// The language's golden transcripts (tests/golden) run by the playground's WebAssembly session
// under node, compared byte for byte with the native output:
//   node --no-experimental-fetch golden.js SITE_DIR GOLDEN_DIR NAME
// The session runs NAME.mg as `mgrad NAME.mg` does, in a fresh module whose file system holds a
// copy of tests/golden (so scripts may :load and :save beside themselves); results and text go
// to "stdout", diagnostics to "stderr", and a failed script gives status 1. Graphs are laid out
// by the site's Graphviz (viz-global.js) and plots drawn by the page's plot.js, as in the page.
'use strict';

const fs = require('fs');
const path = require('path');

// tanh comes from the maths library: musl's in WebAssembly, glibc's natively, and for about one
// argument in a thousand the two round its last bit differently (both are within an ulp). Two
// transcripts show such a tanh: grad_higher prints it to all 17 digits, and check's finite
// differences divide the difference by h = 1e-6. Their numbers are compared within a tolerance
// (relative, or absolute below 1), everything else byte for byte but for the blanks that align a
// column.
const lastBit = new Map([['grad_higher', 1e-14], ['check', 1e-9]]);
const number = /-?(?:\d+\.?\d*(?:e[-+]?\d+)?|inf|nan)/g;
function sameButLastBit(actual, expected, tolerance) {
    const a = actual.split('\n');
    const e = expected.split('\n');
    if (a.length !== e.length) return false;
    return a.every((line, i) => {
        if (line === e[i]) return true;
        const na = line.match(number) || [];
        const ne = e[i].match(number) || [];
        const words = (l) => l.replace(number, '#').replace(/ +/g, ' ');
        return words(line) === words(e[i]) && na.length === ne.length &&
               na.every((x, k) => Math.abs(Number(x) - Number(ne[k])) <=
                                  tolerance * Math.max(Math.abs(Number(x)), 1));
    });
}

const [site, golden, name] = process.argv.slice(2).map((a, i) => (i < 2 ? path.resolve(a) : a));
if (!name) {
    console.error('usage: node golden.js SITE_DIR GOLDEN_DIR NAME');
    process.exit(2);
}

function copyInto(FS, from, to) {
    for (const entry of fs.readdirSync(from, {withFileTypes: true})) {
        const source = path.join(from, entry.name);
        const target = `${to}/${entry.name}`;
        if (entry.isDirectory()) {
            if (entry.name !== 'sub') continue;
            FS.mkdir(target);
            copyInto(FS, source, target);
        } else if (/\.(mg|txt)$/.test(entry.name) || to !== '/work') {
            FS.writeFile(target, fs.readFileSync(source));
        }
    }
}

async function main() {
    const Viz = require(path.join(site, 'viz-global.js'));
    const {plotSvg} = require(path.join(site, 'plot.js'));
    const createMgrad = require(path.join(site, 'mgrad.js'));
    const viz = await Viz.instance();
    const module = await createMgrad({
        mgradLayout: (dot) => viz.renderString(dot, {format: 'svg', engine: 'dot'}),
        mgradPlot: (description) => plotSvg(JSON.parse(description)),
    });
    module.FS.mkdir('/work');
    copyInto(module.FS, golden, '/work');
    module.FS.chdir('/work');
    const session = new module.Playground(false);
    const answer = JSON.parse(session.runFile(`${name}.mg`));
    let out = '';
    let err = '';
    for (const event of answer.events) {
        if (event.kind === 'diagnostic') err += event.text;
        else if (event.kind === 'text' || event.kind === 'result') out += event.text;
    }
    const status = answer.ok ? 0 : 1;
    const read = (ext) => {
        const file = path.join(golden, `${name}.${ext}`);
        return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    };
    const expected = {stdout: read('out'), stderr: read('err'), status: Number(read('status') || 0)};
    let failed = false;
    for (const [what, actual] of [['stdout', out], ['stderr', err]]) {
        if (actual === expected[what]) continue;
        if (lastBit.has(name) && sameButLastBit(actual, expected[what], lastBit.get(name))) {
            console.log(`${name}: ${what} equal but for the last bit of a tanh (within ` +
                        `${lastBit.get(name)})`);
            continue;
        }
        failed = true;
        const a = actual.split('\n');
        const e = expected[what].split('\n');
        const at = a.findIndex((l, i) => l !== e[i]);
        console.log(`${name}: ${what} differs from ${name}.${what === 'stdout' ? 'out' : 'err'} ` +
                    `at line ${at + 1}:\n  expected: ${JSON.stringify(e[at])}\n  actual:   ${JSON.stringify(a[at])}`);
    }
    if (status !== expected.status) {
        failed = true;
        console.log(`${name}: status ${status}, expected ${expected.status}`);
    }
    if (!failed) console.log(`${name}: the WebAssembly session prints what mgrad prints`);
    process.exit(failed ? 1 : 0);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
