// Writes the playground's static site (docs/playground.md) into one folder:
//   node make_site.js SOURCE_DIR MGRAD_JS VIZ_JS OUT_DIR
// The page's files come from src/view/page (the live view embeds the same ones), with the live
// view's token placeholders taken out; the examples menu is made from the tutorial's lessons
// (docs/tutorial.md's sections and the example scripts they run); the WebAssembly session
// (mgrad.js, its wasm inside) and Graphviz (@viz-js/viz's viz-global.js) are copied beside them.
'use strict';

const fs = require('fs');
const path = require('path');

const [source, mgradJs, vizJs, out] = process.argv.slice(2);
if (!out) {
    console.error('usage: node make_site.js SOURCE_DIR MGRAD_JS VIZ_JS OUT_DIR');
    process.exit(2);
}
const page = path.join(source, 'src/view/page');
fs.rmSync(out, {recursive: true, force: true});
fs.mkdirSync(out, {recursive: true});

// The page: the same files the live view serves; the static copy has no token.
let index = fs.readFileSync(path.join(page, 'index.html'), 'utf8');
index = index.replace(/\?token=__TOKEN__/g, '').replace('content="__TOKEN__"', 'content=""');
if (index.includes('__TOKEN__')) throw new Error('index.html: a token placeholder is left');
fs.writeFileSync(path.join(out, 'index.html'), index);
for (const name of ['app.js', 'style.css', 'console.js', 'playground.js', 'plot.js'])
    fs.copyFileSync(path.join(page, name), path.join(out, name));
fs.copyFileSync(mgradJs, path.join(out, 'mgrad.js'));
fs.copyFileSync(vizJs, path.join(out, 'viz-global.js'));

// The examples menu: each section of the tutorial that runs an example script, in order, then
// the lecture. Pictures are SVG in the page (PNG needs the mgrad program), so `.png` files the
// scripts write become `.svg` ones.
const tutorial = fs.readFileSync(path.join(source, 'docs/tutorial.md'), 'utf8');
const lessons = [];
for (const section of tutorial.split(/^## /m).slice(1)) {
    const title = section.slice(0, section.indexOf('\n')).replace(/`/g, '');
    const m = /examples\/(\w+)\.(?:out|mg)/.exec(section);
    if (!m || !fs.existsSync(path.join(source, 'examples', `${m[1]}.mg`))) continue;
    lessons.push({title, file: `${m[1]}.mg`});
}
lessons.push({title: 'The micrograd lecture: L = (a*b + c) * f, then a neuron', file: 'lecture.mg'});
const examples = lessons.map(({title, file}) => ({
    title,
    file,
    text: fs.readFileSync(path.join(source, 'examples', file), 'utf8')
              .replace(/(\S+)\.png\b/g, '$1.svg'),
}));
fs.writeFileSync(path.join(out, 'examples.js'),
                 '// The tutorial\'s lessons (made by src/page/make_site.js).\n' +
                 `window.mgradExamples = ${JSON.stringify(examples, null, 1)};\n`);

fs.writeFileSync(path.join(out, 'LICENSES.txt'), [
    'mgrad playground',
    '',
    'mgrad: MIT licence (the repository\'s LICENSE file).',
    'viz-global.js: @viz-js/viz (Michael Daines), MIT licence; it contains Graphviz',
    '(https://www.graphviz.org), under the Eclipse Public License (EPL), and Expat (MIT licence),',
    'compiled to WebAssembly.',
    '',
].join('\n'));

let total = 0;
for (const name of fs.readdirSync(out)) total += fs.statSync(path.join(out, name)).size;
console.log(`site: ${out} (${fs.readdirSync(out).length} files, ${(total / 1e6).toFixed(2)} MB)`);
