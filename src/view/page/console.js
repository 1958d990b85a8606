// The playground's console (docs/playground.md): mgrad's REPL in the page. An entry runs when
// its last line completes it (a line that ends inside parentheses or after an operator reads
// on, with the `... ` prompt, as in the REPL); ↑/↓ walk the history, Tab completes from the
// session's completions, results and tables print as the REPL prints them, a diagnostic with its
// caret, pictures inline, and a file a command wrote as a download.
'use strict';

window.mgradConsole = (() => {
    const $ = (id) => document.getElementById(id);
    const log = $('console-log');
    const input = $('console-input');
    const prompt = $('prompt');
    const list = $('completions');
    const historyKey = 'mgrad-playground-history';
    const maxHistory = 500;

    let host = null;   // {run(entry) → {ok, events}, incomplete(text), complete(word) → [..]}
    let pending = '';  // the lines of an entry read so far
    let history = [];
    let browsing = null;  // index into history while ↑/↓ walk it
    let draft = '';
    try {
        history = JSON.parse(localStorage.getItem(historyKey) || '[]');
    } catch (e) {
        history = [];
    }

    function remember(entry) {
        const text = entry.replace(/\n$/, '');
        if (!text.trim() || history[history.length - 1] === text) return;
        history.push(text);
        if (history.length > maxHistory) history = history.slice(-maxHistory);
        try {
            localStorage.setItem(historyKey, JSON.stringify(history));
        } catch (e) { /* private mode: the history lasts as long as the page */ }
    }

    function scrollDown() { log.scrollTop = log.scrollHeight; }

    function line(cls, text) {
        const pre = document.createElement('pre');
        pre.className = cls;
        pre.textContent = text.replace(/\n$/, '');
        log.append(pre);
        return pre;
    }

    /// Echoes an entry with its prompts, as a transcript shows it.
    function echo(entry) {
        const lines = entry.replace(/\n$/, '').split('\n');
        line('in', lines.map((l, i) => (i === 0 ? '>>> ' : '... ') + l).join('\n'));
    }

    function note(text, error) { line(error ? 'note error' : 'note', text); scrollDown(); }

    /// Graphviz's SVG and the page's plots, for the log: never with active content.
    function svgElement(text) {
        if (/<script|<foreignObject|<iframe|\son[a-z]+\s*=|\shref\s*=|javascript:/i.test(text))
            throw new Error('the picture holds active content');
        const template = document.createElement('template');
        template.innerHTML = text.slice(Math.max(0, text.indexOf('<svg')));
        const svg = template.content.firstElementChild;
        if (!svg || svg.nodeName.toLowerCase() !== 'svg') throw new Error('not an SVG');
        return document.importNode(svg, true);
    }

    function downloadLink(name, blob) {
        const a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = name.split('/').pop();
        a.textContent = `⬇ ${a.download}`;
        a.className = 'download';
        return a;
    }

    const types = {svg: 'image/svg+xml', dot: 'text/vnd.graphviz', json: 'application/json',
                   mg: 'text/plain', py: 'text/x-python', txt: 'text/plain'};

    /// Shows one event of the session's output. `typed`: the entry was typed (a file it writes
    /// is downloaded at once); replayed entries (examples, shared links) only offer the link.
    function show(event, typed, files) {
        switch (event.kind) {
            case 'text': line('out', event.text); break;
            case 'result': line('out result', event.text); break;
            case 'diagnostic': line(`diag ${event.severity}`, event.text); break;
            case 'note': note(event.text); break;
            case 'picture': {
                const box = document.createElement('figure');
                box.className = 'picture';
                try {
                    box.append(svgElement(event.data));
                } catch (e) {
                    box.append(`(${e.message})`);
                }
                const caption = document.createElement('figcaption');
                caption.append(event.caption || '', ' ');
                const name = /^[\w#]+$/.test(event.caption || '') ? event.caption : 'picture';
                caption.append(downloadLink(`${name}.${event.format}`,
                                            new Blob([event.data], {type: types[event.format]})));
                box.append(caption);
                log.append(box);
                break;
            }
            case 'file': {
                const bytes = host.readFile(event.path);
                if (!bytes) break;
                const ext = event.path.split('.').pop().toLowerCase();
                const a = downloadLink(event.path,
                                       new Blob([bytes], {type: types[ext] || 'application/octet-stream'}));
                const p = document.createElement('div');
                p.className = 'out file';
                p.append(a);
                log.append(p);
                files.push(a);
                break;
            }
            case 'pick_file': if (typed) host.pickFile(event.path); break;
            default: break;
        }
    }

    /// Runs one whole entry: echo, the session, its output. Returns whether it succeeded.
    function run(entry, {typed = false, echoed = false} = {}) {
        if (!echoed) echo(entry);
        const t0 = performance.now();
        const answer = host.run(entry);
        const files = [];
        for (const event of answer.events)
            show(event, typed, files);
        // One file written by a typed command (:save, :export torch, :draw L L.dot) downloads.
        if (typed && files.length === 1) files[0].click();
        scrollDown();
        host.changed(performance.now() - t0);
        return answer.ok;
    }

    /// Text as if typed line by line: entries are run as they complete (an example, a link).
    function replay(text) {
        let entry = '';
        for (const l of text.split('\n')) {
            entry += `${l}\n`;
            if (host.incomplete(entry)) continue;
            if (entry.trim() !== '') run(entry);
            entry = '';
        }
        if (entry.trim() !== '') run(entry);
    }

    function setPrompt() {
        prompt.textContent = pending ? '...' : '>>>';
        input.placeholder = pending ? '' : 'L = (a*b + c) * f';
    }

    function fitInput() {
        input.style.height = 'auto';
        input.style.height = `${input.scrollHeight}px`;
    }

    function submit() {
        const text = input.value;
        input.value = '';
        fitInput();
        hideCompletions();
        browsing = null;
        // A paste of several lines: each completed entry runs, as in the REPL.
        for (const l of text.split('\n')) {
            line('in', (pending ? '... ' : '>>> ') + l);
            pending += `${l}\n`;
            if (host.incomplete(pending)) continue;
            const entry = pending;
            pending = '';
            remember(entry);
            if (entry.trim() !== '') run(entry, {typed: true, echoed: true});
        }
        setPrompt();
        scrollDown();
    }

    // --- completion ---

    /// The word before the cursor: a name, `name.attr`, or a command after ':'.
    function wordBefore() {
        const before = input.value.slice(0, input.selectionStart);
        const m = /[:A-Za-z_][\w.]*$/.exec(before);
        return m ? {word: m[0], start: before.length - m[0].length} : {word: '', start: before.length};
    }

    function replaceWord(start, text) {
        const end = input.selectionStart;
        input.value = input.value.slice(0, start) + text + input.value.slice(end);
        const at = start + text.length;
        input.setSelectionRange(at, at);
    }

    function commonPrefix(words) {
        let p = words[0] || '';
        for (const w of words)
            while (!w.startsWith(p)) p = p.slice(0, -1);
        return p;
    }

    function hideCompletions() { list.hidden = true; list.replaceChildren(); }

    function complete() {
        const {word, start} = wordBefore();
        if (!word) return;
        const candidates = host.complete(word);
        if (candidates.length === 0) { hideCompletions(); return; }
        const prefix = commonPrefix(candidates);
        if (candidates.length === 1) {
            const only = candidates[0];
            // A command is followed by a blank, a function by its '(' (from the session).
            replaceWord(start, only.startsWith(':') ? `${only} ` : only);
            hideCompletions();
            return;
        }
        if (prefix.length > word.length) replaceWord(start, prefix);
        list.replaceChildren(...candidates.map((c) => {
            const b = document.createElement('button');
            b.type = 'button';
            b.textContent = c;
            b.addEventListener('mousedown', (e) => {
                e.preventDefault();
                replaceWord(wordBefore().start, c);
                hideCompletions();
                input.focus();
            });
            return b;
        }));
        list.hidden = false;
    }

    input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            submit();
        } else if (e.key === 'Tab') {
            e.preventDefault();
            complete();
        } else if (e.key === 'Escape') {
            hideCompletions();
        } else if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && !input.value.includes('\n')) {
            if (history.length === 0) return;
            e.preventDefault();
            if (browsing === null) {
                draft = input.value;
                browsing = history.length;
            }
            browsing = Math.max(0, Math.min(history.length, browsing + (e.key === 'ArrowUp' ? -1 : 1)));
            input.value = browsing === history.length ? draft : history[browsing];
            fitInput();
            const at = input.value.length;
            input.setSelectionRange(at, at);
        } else if (e.key === 'c' && e.ctrlKey && pending) {
            // Ctrl-C drops an entry half read, as in the REPL.
            e.preventDefault();
            pending = '';
            input.value = '';
            note('(the entry was cancelled)');
            setPrompt();
        }
    });
    input.addEventListener('input', () => { fitInput(); hideCompletions(); });
    log.addEventListener('click', (e) => {
        if (!e.target.closest('a, figure') && window.getSelection().isCollapsed) input.focus();
    });

    return {
        attach(h) {
            host = h;
            input.disabled = false;
            setPrompt();
        },
        run,
        replay,
        note,
        focus() { input.focus(); },
        clear() { log.replaceChildren(); },
    };
})();
