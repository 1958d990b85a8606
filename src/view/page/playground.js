// The playground's transport (docs/playground.md): the session runs in this page, compiled to
// WebAssembly (mgrad.js), and graphs are laid out by Graphviz compiled to WebAssembly
// (viz-global.js, the npm package @viz-js/viz, copied into the site when it is built). Both are
// loaded from the page's own folder: nothing is fetched from anywhere else, and the page works
// from file:// and offline. Frames are composed by the session exactly as the live view's server
// composes them, with the DOT text of the picture in place of its SVG; the page lays that out.
'use strict';

(() => {
    const app = window.mgradApp;
    const con = window.mgradConsole;
    const $ = (id) => document.getElementById(id);
    // For tests and the benchmarks: when the session was ready, and each statement's timing.
    const stats = (window.mgradPlayground = {ready: false, readyAt: 0, statements: 0, lastMs: 0});

    document.body.classList.add('playground');
    $('console').hidden = false;
    $('page-menu').hidden = false;
    $('brand-sub').textContent = 'playground';
    document.title = 'mgrad playground';
    for (const hint of document.querySelectorAll('#in-whatif .hint'))
        hint.textContent = 'Runs :set in the session: the console shows the table.';

    function loadScript(name) {
        return new Promise((resolve, reject) => {
            const script = document.createElement('script');
            script.src = name;
            script.onload = resolve;
            script.onerror = () => reject(new Error(`${name} could not be loaded`));
            document.head.append(script);
        });
    }

    let viz = null;
    let module = null;
    let session = null;

    /// Graphviz's SVG of a DOT text, from the <svg> element on (no XML prolog).
    function layout(dot) {
        const svg = viz.renderString(dot, {format: 'svg', engine: 'dot'});
        return svg.slice(Math.max(0, svg.indexOf('<svg')));
    }

    // --- frames ---

    function refresh() {
        const text = session.frame();
        if (text === '') return;
        const frame = JSON.parse(text);
        if (frame.dot) {
            const t0 = performance.now();
            try {
                frame.svg = layout(frame.dot);
            } catch (e) {
                frame.message = {kind: 'error', text: `cannot draw: ${e.message || e}`};
            }
            frame.layout_ms = performance.now() - t0;
        }
        app.onFrame(frame);
    }

    // --- what the page asks for (the live view posts these to its server) ---

    /// The options the page's controls send, as :draw's option words.
    function optionWords(o) {
        const words = [];
        if (o.depth !== null && o.depth !== undefined) words.push(`depth=${o.depth}`);
        if (o.max_nodes !== undefined) words.push(`max-nodes=${o.max_nodes}`);
        if (o.decimals !== undefined) words.push(`decimals=${o.decimals}`);
        for (const key of ['hide_constants', 'cluster_modules', 'collapse_modules', 'shade', 'tb'])
            if (o[key]) words.push(key.replace(/_/g, '-'));
        return words;
    }

    const transport = {
        post(path, body) {
            let error = '';
            if (path === 'api/set') {
                con.run(`:set ${body.name} ${body.value}\n`);
                return Promise.resolve(null);
            }
            if (path === 'api/show') error = session.show(body.name || '');
            if (path === 'api/options') error = session.setOptions(JSON.stringify(optionWords(body)));
            if (error) app.toast(error, true);
            refresh();
            return Promise.resolve(null);
        },
    };

    // --- the console's host ---

    const host = {
        run(entry) {
            const answer = JSON.parse(session.run(entry));
            stats.statements += 1;
            return answer;
        },
        incomplete: (text) => module.Playground.incomplete(text),
        complete: (word) => JSON.parse(session.complete(word)),
        readFile(path) {
            try {
                return module.FS.readFile(path);
            } catch (e) {
                return null;
            }
        },
        pickFile(path) {
            pickerWanted = path;
            $('file-picker').click();
        },
        changed(ms) {
            refresh();
            stats.lastMs = ms;
        },
    };

    // --- files: the picker and drag and drop put them in the session's file system ---

    let pickerWanted = '';
    function addFile(file, then) {
        file.arrayBuffer().then((buffer) => {
            const name = file.name.replace(/[^\w.+-]/g, '_');
            module.FS.writeFile(name, new Uint8Array(buffer));
            con.note(`${name} is now among the page's files (${buffer.byteLength} bytes)`);
            then(name);
        });
    }
    const loadable = (name) => /\.(mg|txt)$/i.test(name);
    $('file-picker').addEventListener('change', () => {
        const file = $('file-picker').files[0];
        $('file-picker').value = '';
        if (!file) return;
        addFile(file, (name) => {
            if (pickerWanted !== name && pickerWanted !== '')
                con.note(`(you asked for ${pickerWanted}; loading ${name})`);
            if (loadable(name)) con.run(`:load ${name}\n`, {typed: true});
        });
    });
    document.addEventListener('dragover', (e) => {
        e.preventDefault();
        $('drop-note').hidden = false;
    });
    document.addEventListener('dragleave', (e) => {
        if (e.relatedTarget === null) $('drop-note').hidden = true;
    });
    document.addEventListener('drop', (e) => {
        e.preventDefault();
        $('drop-note').hidden = true;
        for (const file of e.dataTransfer.files)
            addFile(file, (name) => { if (loadable(name)) con.run(`:load ${name}\n`, {typed: true}); });
    });

    // --- examples, share links, about ---

    const examples = window.mgradExamples || [];
    for (const [i, ex] of examples.entries())
        $('examples').append(new Option(ex.title, String(i)));
    $('examples').addEventListener('change', () => {
        const ex = examples[Number($('examples').value)];
        $('examples').value = '';
        if (!ex) return;
        // Each lesson starts from a fresh session, as its script does under mgrad: one lesson's
        // names (the parabola's function f) would otherwise clash with the next's (f = -2.0).
        con.note(`— ${ex.title} (examples/${ex.file}), in a fresh session —`);
        con.replay(`:reset\n${ex.text}`);
        con.focus();
    });

    const b64 = {
        encode(bytes) {
            let s = '';
            for (const b of bytes) s += String.fromCharCode(b);
            return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        },
        decode(text) {
            const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
            return Uint8Array.from(s, (c) => c.charCodeAt(0));
        },
    };
    async function pipe(bytes, stream) {
        const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
        return new Uint8Array(await out.arrayBuffer());
    }

    /// `#s=z…` deflate-raw compressed (CompressionStream), `#s=u…` plain where it is missing.
    async function shareLink(text) {
        const bytes = new TextEncoder().encode(text);
        const base = location.href.replace(/#.*$/, '');
        if (typeof CompressionStream === 'function')
            return `${base}#s=z${b64.encode(await pipe(bytes, new CompressionStream('deflate-raw')))}`;
        return `${base}#s=u${b64.encode(bytes)}`;
    }

    async function sharedText(hash) {
        const m = /^#s=([zu])([\w-]*)$/.exec(hash);
        if (!m) return null;
        const bytes = b64.decode(m[2]);
        if (m[1] === 'u') return new TextDecoder().decode(bytes);
        if (typeof DecompressionStream !== 'function')
            throw new Error('this browser cannot open compressed links (no DecompressionStream)');
        return new TextDecoder().decode(await pipe(bytes, new DecompressionStream('deflate-raw')));
    }

    $('share').addEventListener('click', async () => {
        const text = session.transcript();
        if (!text) {
            app.toast('nothing to share yet: the link carries the statements typed so far', true);
            return;
        }
        const link = await shareLink(text);
        history.replaceState(null, '', link);
        stats.shared = link;
        try {
            await navigator.clipboard.writeText(link);
            app.toast('link copied: opening it replays this session');
        } catch (e) {
            app.toast('the address bar holds the link: opening it replays this session');
        }
    });

    $('about').addEventListener('click', () => $('about-box').showModal());

    // --- start ---

    async function start() {
        app.setStatus('waiting', 'loading…');
        await loadScript('viz-global.js');
        await loadScript('mgrad.js');
        viz = await window.Viz.instance();
        module = await window.createMgrad({
            mgradLayout: layout,
            mgradPlot: (description) => window.mgradPlotSvg(JSON.parse(description)),
            print: (text) => console.log(text),
            printErr: (text) => console.warn(text),
        });
        session = new module.Playground(true);
        $('about-version').textContent = `version ${module.Playground.version()}`;
        app.setTransport(transport);
        con.attach(host);
        app.setStatus('live', 'ready');
        refresh();
        stats.ready = true;
        stats.readyAt = performance.now();
        let shared = null;
        try {
            shared = await sharedText(location.hash);
        } catch (e) {
            con.note(`the link could not be read: ${e.message}`, true);
        }
        if (shared) {
            con.note('— the statements of a shared link —');
            con.replay(shared);
        } else {
            con.note(`mgrad ${module.Playground.version()} — type :help for commands, or pick an ` +
                     'example above');
        }
        stats.replayed = true;
        con.focus();
    }

    start().catch((e) => {
        app.setStatus('gone', `cannot start: ${e.message || e}`);
        con.note(`the playground cannot start: ${e.message || e}`, true);
    });
})();
