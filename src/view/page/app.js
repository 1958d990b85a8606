// mgrad's page (docs/view.md, docs/playground.md). The page follows a session: each frame brings
// the picture `:draw` makes (SVG), what the inspector shows for each node, and the backward pass
// step by step. The page only asks for three things: a leaf's new value (the session runs
// `:set`), another value to draw, other drawing options. Two transports carry frames and those
// requests: the live view's (server-sent events from a running mgrad, requests as POSTs) and the
// playground's (the session in WebAssembly in this page: playground.js, with a console).
// No library, no build step: the live view's server sends this file as it is.
'use strict';

(() => {
    const token = document.querySelector('meta[name="mgrad-token"]').content;
    // The server puts its token in; the static site's copy has none.
    const live = token !== '' && !token.startsWith('__');
    const $ = (id) => document.getElementById(id);
    const stage = $('stage');
    const canvas = $('canvas');

    const state = {
        frame: null,        // the latest frame
        svg: null,          // the <svg> in the stage
        natural: null,      // the graph's own viewBox {x, y, w, h}
        view: null,         // the viewBox shown {x, y, w, h}
        fitted: true,       // the view follows the graph's size until the user pans or zooms
        values: new Map(),  // NodeId → <g class="node"> of the value
        ops: new Map(),     // NodeId → <g class="node"> of the operation that makes it
        edges: new Map(),   // "v3->o5" → [<g class="edge">…]
        selected: null,     // NodeId shown in the inspector
        step: null,         // null, or how many steps of the backward pass are done (0 … n)
        stepsKey: '',       // the backward pass the stepper walks, to notice when it changes
        timer: null,        // playback
        noticeSeen: 0,
        optionsDirty: null,  // a pending options change (its timer)
    };
    // For tests and the benchmark: the newest frame painted, when (ms since the epoch), and the
    // time the page's script spent on it.
    window.mgradView = {frames: 0, seq: 0, paintedSeq: 0, paintedAt: 0, scriptMs: 0};

    // --- talking to mgrad ---

    /// Where requests go: the live view's server, unless the playground sets its own.
    let transport = {post: postToServer};
    function post(path, body) { return transport.post(path, body); }

    function postToServer(path, body) {
        return fetch(`${path}?token=${token}`, {
                   method: 'POST',
                   headers: {'Content-Type': 'application/json', 'X-Mgrad-Token': token},
                   body: JSON.stringify(body),
               })
            .then((r) => {
                if (!r.ok) return r.text().then((t) => Promise.reject(new Error(t.trim())));
                return null;
            })
            .catch((e) => toast(e.message || 'mgrad did not answer', true));
    }

    function setStatus(kind, text) {
        $('status').className = `status ${kind}`;
        $('status-text').textContent = text;
    }

    function connect() {
        const source = new EventSource(`events?token=${token}`);
        source.addEventListener('open', () => setStatus('live', 'live'));
        source.addEventListener('frame', (e) => {
            setStatus('live', 'live');
            onFrame(JSON.parse(e.data));
        });
        source.addEventListener('status', (e) => onStatus(JSON.parse(e.data)));
        source.addEventListener('error', () => {
            if (source.readyState === EventSource.CLOSED) {
                setStatus('gone', 'disconnected — reload the page');
            } else {
                setStatus('waiting', 'reconnecting… (is mgrad still running?)');
            }
        });
    }

    // --- frames ---

    let busyTimer = null;
    function onStatus(status) {
        // A status may arrive after the frame it announced (the stream sends frames first).
        if (status.layout !== 'started' || (state.frame && status.seq <= (state.frame.seq || 0)))
            return;
        clearTimeout(busyTimer);
        const started = performance.now();
        busyTimer = setTimeout(function tick() {
            $('busy').hidden = false;
            const seconds = ((performance.now() - started) / 1000).toFixed(0);
            $('busy-text').textContent = `laying out ${status.values} values… ${seconds} s`;
            busyTimer = setTimeout(tick, 500);
        }, 400);
    }

    function onFrame(frame) {
        const t0 = performance.now();
        const previous = state.frame;
        state.frame = frame;
        window.mgradView.frames += 1;
        window.mgradView.seq = frame.seq || 0;
        clearTimeout(busyTimer);
        $('busy').hidden = true;

        showPicker(frame);
        showOptionSpecs(frame.option_specs);
        showOptions(frame.options);
        showNotice(frame.notice);
        showMessage(frame.message);
        if (frame.svg) {
            showSvg(frame.svg);
        } else {
            stage.replaceChildren();
            state.svg = null;
            state.values.clear();
            state.ops.clear();
            state.edges.clear();
        }
        if (state.selected !== null && !(frame.nodes && frame.nodes[state.selected]))
            state.selected = null;
        showSelection();
        showPass(frame, previous);
        window.mgradView.scriptMs = performance.now() - t0;
        // Painted once the browser has drawn the next frame with the new DOM.
        const seq = frame.seq || 0;
        requestAnimationFrame(
            () => requestAnimationFrame(() => {
                window.mgradView.paintedSeq = seq;
                window.mgradView.paintedAt = performance.timeOrigin + performance.now();
            }),
        );
    }

    function showPicker(frame) {
        const select = $('name');
        const wanted = frame.follow ? '' : frame.pinned || '';
        const names = frame.names || [];
        const key = JSON.stringify([names, frame.name, frame.follow]);
        if (select.dataset.key !== key) {
            select.dataset.key = key;
            const latest =
                new Option(frame.follow && frame.name ? `latest · ${frame.name}` : 'latest', '');
            const options = [latest];
            for (const name of names)
                options.push(new Option(name, name));
            if (wanted && !names.includes(wanted)) options.push(new Option(wanted, wanted));
            select.replaceChildren(...options);
        }
        if (document.activeElement !== select) select.value = wanted;
    }

    function showOptions(o) {
        if (!o || state.optionsDirty !== null) return;
        const active = document.activeElement;
        const set = (id, value) => {
            const el = $(id);
            if (el === active) return;
            if (el.type === 'checkbox')
                el.checked = value;
            else
                el.value = value;
        };
        set('opt-depth', o.depth === null ? '' : o.depth);
        set('opt-cap', o.max_nodes);
        set('opt-hide', o.hide_constants);
        set('opt-clusters', o.cluster_modules);
        set('opt-collapse', o.collapse_modules);
        set('opt-shade', o.shade);
        $('opt-lr').classList.toggle('on', !o.tb);
        $('opt-tb').classList.toggle('on', o.tb);
    }

    /// The control that stands for an option word (data-option in the page), or null.
    function optionControl(key) {
        return document.querySelector(`[data-option="${CSS.escape(key)}"]`);
    }

    /// The controls' ranges and titles from the draw options' specs (what :draw checks).
    function showOptionSpecs(specs) {
        if (!specs || state.specsShown) return;
        state.specsShown = true;
        for (const spec of specs) {
            const el = optionControl(spec.key);
            if (!el) continue;
            if (spec.kind === 'whole') {
                el.min = spec.low;
                el.max = spec.high;
                el.step = 1;
            }
            const word = spec.value_name ? `${spec.key}=${spec.value_name}` : spec.key;
            el.closest('label').title = `${spec.help} (${word})`;
        }
    }

    function showNotice(notice) {
        if (!notice || notice.number === state.noticeSeen) return;
        const first = state.noticeSeen === 0 && state.frame && window.mgradView.frames === 1;
        state.noticeSeen = notice.number;
        if (!first) toast(notice.text, notice.error);
    }

    let toastTimer = null;
    function toast(text, error) {
        const el = $('toast');
        el.textContent = text;
        el.className = error ? 'toast error' : 'toast';
        el.hidden = false;
        clearTimeout(toastTimer);
        toastTimer = setTimeout(() => (el.hidden = true), error ? 5000 : 2500);
    }

    const titles = {
        empty: 'Nothing to draw yet',
        too_big: 'Too large to lay out',
        error: 'Cannot draw this',
    };

    function showMessage(message) {
        const box = $('message');
        if (!message) {
            box.hidden = true;
            return;
        }
        box.hidden = false;
        box.querySelector('.message-card').className = `message-card ${message.kind}`;
        $('message-title').textContent = titles[message.kind] || 'Note';
        $('message-text').textContent = message.text;
        const actions = $('message-actions');
        actions.replaceChildren();
        // The renderer says what would fit as option words (data, not text): offer each one
        // that has a control here as a button.
        for (const fix of message.fixes || []) {
            const eq = fix.indexOf('=');
            const el = optionControl(eq < 0 ? fix : fix.slice(0, eq));
            if (el) actions.append(actionButton(fix, () => setOption(el.id, eq < 0 ? true : fix.slice(eq + 1))));
        }
    }

    function actionButton(text, action) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = text;
        b.addEventListener('click', action);
        return b;
    }

    // --- the picture ---

    /// Graphviz's SVG as a DOM element. Graphviz writes no scripts, event handlers or links
    /// (mgrad sets no URL attributes), and the page's Content-Security-Policy would block them
    /// anyway: a picture that has any is refused rather than cleaned. The HTML parser of a
    /// <template> reads it several times faster than DOMParser's XML parser, and nothing in a
    /// template runs.
    function parseSvg(text) {
        if (/<script|<foreignObject|<iframe|\son[a-z]+\s*=|\shref\s*=|javascript:/i.test(text))
            throw new Error('it holds active content');
        const template = document.createElement('template');
        template.innerHTML = text;
        const svg = template.content.firstElementChild;
        if (!svg || svg.nodeName.toLowerCase() !== 'svg') throw new Error('not an SVG');
        return document.importNode(svg, true);
    }

    function showSvg(text) {
        let svg;
        try {
            svg = parseSvg(text);
        } catch (e) {
            showMessage({kind: 'error', text: `the picture could not be read: ${e.message}`});
            return;
        }
        const box = (svg.getAttribute('viewBox') || '0 0 100 100').split(/[\s,]+/).map(Number);
        state.natural = {x: box[0], y: box[1], w: box[2], h: box[3]};
        svg.removeAttribute('width');
        svg.removeAttribute('height');
        svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
        state.values.clear();
        state.ops.clear();
        state.edges.clear();
        for (const g of svg.querySelectorAll('g.node')) {
            const title = g.querySelector('title')?.textContent || '';
            const m = /^([vo])(\d+)$/.exec(title);
            if (!m) continue;
            const id = Number(m[2]);
            if (m[1] === 'v') {
                g.dataset.id = id;
                state.values.set(id, g);
                for (const t of g.querySelectorAll('text')) {
                    if (t.textContent.startsWith('grad ')) {
                        t.classList.add('grad-text');
                        t.dataset.text = t.textContent;
                    }
                }
            } else {
                g.dataset.op = id;  // a click on an operation inspects the value it makes
                state.ops.set(id, g);
            }
        }
        for (const g of svg.querySelectorAll('g.edge')) {
            const title = g.querySelector('title')?.textContent || '';
            if (!state.edges.has(title)) state.edges.set(title, []);
            state.edges.get(title).push(g);
        }
        // The viewBox is set before the picture goes into the page, so it is laid out once.
        state.svg = svg;
        if (state.fitted || !state.view)
            fit();
        else
            applyView();
        stage.replaceChildren(svg);
    }

    // --- pan and zoom: the viewBox, in the graph's own units ---

    function stageRect() { return stage.getBoundingClientRect(); }

    function fit() {
        state.fitted = true;
        if (!state.natural) return;
        const r = stageRect();
        if (r.width === 0 || r.height === 0) return;
        const n = state.natural;
        // Never blow a small graph up past 1.6 times its size.
        const scale = Math.min(r.width / n.w, r.height / n.h, 1.6) * 0.96;
        const w = r.width / scale;
        const h = r.height / scale;
        state.view = {x: n.x + n.w / 2 - w / 2, y: n.y + n.h / 2 - h / 2, w, h};
        applyView();
    }

    function applyView() {
        if (!state.svg || !state.view) return;
        const v = state.view;
        state.svg.setAttribute('viewBox', `${v.x} ${v.y} ${v.w} ${v.h}`);
    }

    function zoomAt(clientX, clientY, factor) {
        if (!state.view) return;
        const r = stageRect();
        const v = state.view;
        const perPixel = v.w / r.width / factor;
        if (perPixel < 0.05 || perPixel > 60) return;
        const fx = (clientX - r.left) / r.width;
        const fy = (clientY - r.top) / r.height;
        const px = v.x + fx * v.w;
        const py = v.y + fy * v.h;
        v.w /= factor;
        v.h /= factor;
        v.x = px - fx * v.w;
        v.y = py - fy * v.h;
        state.fitted = false;
        applyView();
    }

    function zoomCentre(factor) {
        const r = stageRect();
        zoomAt(r.left + r.width / 2, r.top + r.height / 2, factor);
    }

    canvas.addEventListener(
        'wheel',
        (e) => {
            e.preventDefault();
            const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
            zoomAt(e.clientX, e.clientY, Math.exp(-delta * 0.0015));
        },
        {passive: false},
    );

    let drag = null;
    canvas.addEventListener('pointerdown', (e) => {
        if (e.button !== 0 || e.target.closest('.stepper, .zoom, .message-card, .toast')) return;
        drag = {x: e.clientX, y: e.clientY, moved: false, id: e.pointerId};
    });
    canvas.addEventListener('pointermove', (e) => {
        if (!drag || drag.id !== e.pointerId || !state.view) return;
        const dx = e.clientX - drag.x;
        const dy = e.clientY - drag.y;
        if (!drag.moved && Math.hypot(dx, dy) < 4) return;
        if (!drag.moved) {
            drag.moved = true;
            canvas.setPointerCapture(e.pointerId);
            canvas.classList.add('panning');
        }
        const r = stageRect();
        state.view.x -= (dx * state.view.w) / r.width;
        state.view.y -= (dy * state.view.h) / r.height;
        drag.x = e.clientX;
        drag.y = e.clientY;
        state.fitted = false;
        applyView();
    });
    const endDrag = (e) => {
        if (!drag || drag.id !== e.pointerId) return;
        const clicked = !drag.moved;
        drag = null;
        canvas.classList.remove('panning');
        if (clicked && e.type === 'pointerup') clickAt(e.target);
    };
    canvas.addEventListener('pointerup', endDrag);
    canvas.addEventListener('pointercancel', endDrag);

    new ResizeObserver(() => {
        if (state.fitted)
            fit();
        else if (state.view) {
            const r = stageRect();
            state.view.h = (state.view.w * r.height) / r.width;
            applyView();
        }
    }).observe(stage);

    $('zoom-in').addEventListener('click', () => zoomCentre(1.25));
    $('zoom-out').addEventListener('click', () => zoomCentre(0.8));
    $('zoom-fit').addEventListener('click', fit);

    // --- the inspector ---

    function clickAt(target) {
        const g = target.closest && target.closest('g.node');
        const id = g ? g.dataset.id ?? g.dataset.op : undefined;
        select(id === undefined ? null : Number(id));
    }

    function select(id) {
        state.selected = id;
        showSelection();
    }

    function showSelection() {
        for (const g of state.values.values())
            g.classList.remove('selected');
        const frame = state.frame;
        const node =
            frame && frame.nodes && state.selected !== null ? frame.nodes[state.selected] : null;
        $('inspect').hidden = !node;
        $('inspect-empty').hidden = !!node;
        if (!node) return;
        const id = state.selected;
        state.values.get(id)?.classList.add('selected');

        $('in-name').textContent = node.name;
        const kind = $('in-kind');
        kind.textContent = {
            leaf: 'input',
            constant: 'constant',
            computed: 'computed',
            root: 'drawn value'
        }[node.kind];
        kind.className = `pill ${node.kind}`;
        $('in-formula').textContent = node.formula === 'leaf' ?
            `${node.name} is an input (a leaf)` :
            node.formula === 'constant' ? `a constant` :
                                          `${node.name} = ${node.formula}`;
        $('in-data').textContent = node.data;
        $('in-grad').textContent = node.grad;

        // What if: a leaf that is bound to a name can be set.
        const settable = node.op === 'leaf' && /^[A-Za-z_]\w*$/.test(node.name);
        $('in-whatif').hidden = !settable;
        if (settable) {
            const value = Number(node.data);
            const input = $('whatif-value');
            if (document.activeElement !== input || input.dataset.node !== String(id))
                input.value = node.data;
            input.dataset.node = String(id);
            const span = Math.max(1, Math.abs(value));
            const slider = $('whatif-slider');
            slider.min = String(value - span);
            slider.max = String(value + span);
            slider.step = String(span / 100);
            slider.value = String(value);
        }

        const inputs = $('in-inputs');
        inputs.replaceChildren();
        for (const input of node.inputs) {
            const li = document.createElement('li');
            const local = document.createElement('div');
            local.className = 'local';
            local.append(`∂${node.name}/∂`);
            const link = document.createElement('a');
            link.textContent = input.name;
            link.title = `inspect ${input.name}`;
            link.addEventListener('click', () => select(input.id));
            local.append(link, ` = ${input.local}`);
            if (input.local !== input.local_value) {
                local.append(' = ');
                const v = document.createElement('span');
                v.className = 'value';
                v.textContent = input.local_value;
                local.append(v);
            }
            const step = document.createElement('code');
            step.className = 'step';
            step.textContent = input.step;
            li.append(local, step);
            inputs.append(li);
        }
        $('in-inputs-box').hidden = node.inputs.length === 0;

        const users = $('in-users');
        users.replaceChildren();
        for (const user of node.users) {
            const b = document.createElement('button');
            b.type = 'button';
            const u = frame.nodes[user];
            b.textContent = u ? `${u.name} = ${u.formula}` : `#${user}`;
            b.addEventListener('click', () => select(user));
            users.append(b);
        }
        $('in-users-box').hidden = node.users.length === 0;
    }

    function setLeaf(value) {
        const id = Number($('whatif-value').dataset.node);
        const node = state.frame && state.frame.nodes && state.frame.nodes[id];
        if (!node || !Number.isFinite(value)) return;
        post('api/set', {name: node.name, value});
    }
    $('whatif-form').addEventListener('submit', (e) => {
        e.preventDefault();
        setLeaf(Number($('whatif-value').value));
    });
    $('whatif-slider')
        .addEventListener('input', () => ($('whatif-value').value = $('whatif-slider').value));
    // On release only: every :set prints its table in the terminal.
    $('whatif-slider').addEventListener('change', () => setLeaf(Number($('whatif-slider').value)));

    // --- the backward pass, step by step ---

    function pass() {
        const b = state.frame && state.frame.backward;
        return b && b.steps ? b : null;
    }

    function showPass(frame, previous) {
        const b = pass();
        const key = b ? JSON.stringify([frame.root, b.steps.map((s) => s.line)]) : '';
        const changed = key !== state.stepsKey;
        state.stepsKey = key;
        $('step-start').disabled = !b;
        $('pass-note').hidden = !(frame.backward && frame.backward.note);
        $('pass-note').textContent = (frame.backward && frame.backward.note) || '';
        if (changed || !previous) {
            const list = $('pass-list');
            list.replaceChildren();
            if (b) {
                const start = document.createElement('li');
                start.dataset.n = '0';
                start.textContent = b.start;
                list.append(start);
                b.steps.forEach((s, i) => {
                    const li = document.createElement('li');
                    li.dataset.n = String(i + 1);
                    li.textContent = s.line;
                    li.title = s.line;
                    list.append(li);
                });
            }
        }
        if (state.step !== null) {
            if (!b) {
                leaveStepper();
                return;
            }
            if (changed) {
                pause();
                state.step = Math.min(state.step, b.steps.length);
                if (previous) toast('the graph changed: the stepper walks the new backward pass');
            }
            showStep();
        } else {
            markList(null);
        }
    }

    function enterStepper(k) {
        const b = pass();
        if (!b || !state.svg) return;
        state.step = Math.max(0, Math.min(k, b.steps.length));
        $('stepper').hidden = false;
        showStep();
    }

    function leaveStepper() {
        pause();
        state.step = null;
        $('stepper').hidden = true;
        if (state.svg) {
            state.svg.classList.remove('stepping');
            for (const t of state.svg.querySelectorAll('text.grad-text')) {
                t.textContent = t.dataset.text;
                t.classList.remove('reached', 'just');
            }
            clearHighlights();
        }
        markList(null);
    }

    function clearHighlights() {
        for (const el of state.svg.querySelectorAll('.target, .source, .via, .flow'))
            el.classList.remove('target', 'source', 'via', 'flow');
    }

    function gradText(id) { return state.values.get(id)?.querySelector('text.grad-text') || null; }

    function showStep() {
        const b = pass();
        if (!b || !state.svg || state.step === null) return;
        const k = state.step;
        const steps = b.steps;
        const root = state.frame.root;
        state.svg.classList.add('stepping');
        // The gradients after k steps: root 1, then each step's running value.
        const grads = new Map([[root, b.one]]);
        for (let i = 0; i < k; i++)
            grads.set(steps[i].to, steps[i].grad);
        for (const [id, g] of state.values) {
            const t = g.querySelector('text.grad-text');
            if (!t) continue;
            const reached = grads.has(id);
            t.textContent = `grad ${reached ? grads.get(id) : b.zero}`;
            t.classList.toggle('reached', reached);
            t.classList.remove('just');
        }
        clearHighlights();
        let line = b.start;
        if (k === 0) {
            state.values.get(root)?.classList.add('target');
            gradText(root)?.classList.add('just');
        } else {
            const s = steps[k - 1];
            line = s.line;
            state.values.get(s.to)?.classList.add('target');
            state.values.get(s.from)?.classList.add('source');
            state.ops.get(s.from)?.classList.add('via');
            for (const title of [`v${s.to}->o${s.from}`, `o${s.from}->v${s.from}`])
                for (const e of state.edges.get(title) || [])
                    e.classList.add('flow');
            const t = gradText(s.to);
            if (t) {
                t.classList.add('just');
                // Restart the flash on the number that just changed.
                t.classList.remove('fresh');
                void t.getBBox();
                t.classList.add('fresh');
            }
        }
        showStepLine(line);
        showWhy(k === 0 ? null : steps[k - 1], root);
        $('step-count').textContent = `step ${k} of ${steps.length}`;
        const scrub = $('step-scrub');
        scrub.max = String(steps.length);
        scrub.value = String(k);
        playIcon(state.timer ? 'pause' : k === steps.length ? 'again' : 'play');
        markList(k);
    }

    /// `a.grad += b.data * e.grad = -3 * -2 = 6`, with the gradient being updated and the result
    /// picked out.
    /// Under the step: where it comes from, the local derivative times the gradient flowing in.
    function showWhy(step, root) {
        const why = $('step-why');
        why.replaceChildren();
        const nodes = state.frame.nodes || {};
        if (!step) {
            const r = nodes[root];
            if (r) why.append(`the pass starts at ${r.name}: d${r.name}/d${r.name} = 1`);
            return;
        }
        const from = nodes[step.from];
        const input = from && from.inputs.find((i) => i.id === step.to);
        if (!input) return;
        const local = document.createElement('code');
        local.textContent = `∂${from.name}/∂${input.name} = ${input.local}` +
            (input.local !== input.local_value ? ` = ${input.local_value}` : '');
        const grad = document.createElement('code');
        grad.textContent = `${from.name}.grad`;
        why.append('local derivative ', local, ', times ', grad, ', added to what ',
                   input.name, '.grad had');
    }

    function showStepLine(line) {
        const code = $('step-text');
        code.replaceChildren();
        const m = /^(\S+?\.grad)( \+?= )(.*)$/.exec(line);
        if (!m) {
            code.textContent = line;
            return;
        }
        const to = document.createElement('span');
        to.className = 'to';
        to.textContent = m[1];
        code.append(to, m[2]);
        // The last " = value" is the result (before any "  (now …)").
        const rest = m[3];
        const now = rest.indexOf('  (now ');
        const body = now >= 0 ? rest.slice(0, now) : rest;
        const tail = now >= 0 ? rest.slice(now) : '';
        const cut = body.lastIndexOf(' = ');
        if (cut >= 0) {
            const result = document.createElement('span');
            result.className = 'result';
            result.textContent = body.slice(cut + 3);
            code.append(body.slice(0, cut), ' = ', result);
        } else {
            const result = document.createElement('span');
            result.className = 'result';
            result.textContent = body;
            code.append(result);
        }
        if (tail) code.append(tail);
    }

    function markList(k) {
        const items = $('pass-list').children;
        for (let i = 0; i < items.length; i++) {
            const li = items[i];
            li.classList.toggle('current', k !== null && i === k);
            li.classList.toggle('done', k !== null && i < k);
            li.classList.toggle('pending', k !== null && i > k);
        }
        if (k !== null && items[k]) items[k].scrollIntoView({block: 'nearest'});
    }

    function go(k) {
        const b = pass();
        if (!b) return;
        if (state.step === null)
            enterStepper(k);
        else {
            state.step = Math.max(0, Math.min(k, b.steps.length));
            showStep();
        }
    }

    function speed() { return Number($('step-speed').value) || 1; }

    function play() {
        const b = pass();
        if (!b) return;
        if (state.step === null || state.step >= b.steps.length) go(0);
        clearInterval(state.timer);
        state.timer = setInterval(() => {
            const p = pass();
            if (!p || state.step === null || state.step >= p.steps.length) {
                pause();
                return;
            }
            state.step += 1;
            showStep();
            if (state.step >= p.steps.length) pause();
        }, 900 / speed());
        showStep();
    }

    function pause() {
        clearInterval(state.timer);
        state.timer = null;
        if (state.step !== null)
            playIcon(state.step === (pass()?.steps.length ?? 0) ? 'again' : 'play');
    }

    const icons = {
        play: 'M5 3v10l8-5z',
        pause: 'M4 3h3v10H4zM9 3h3v10H9z',
        again: 'M8 3a5 5 0 1 1-4.6 3H1.6A6.5 6.5 0 1 0 8 1.5V0L5 2.5 8 5z',
    };
    function playIcon(which) {
        const button = $('step-play');
        button.querySelector('path').setAttribute('d', icons[which]);
        button.dataset.icon = which;
    }

    function togglePlay() {
        if (state.timer)
            pause();
        else
            play();
    }

    $('step-start').addEventListener('click', () => go(0));
    $('step-first').addEventListener('click', () => go(0));
    $('step-back').addEventListener('click', () => go((state.step ?? 1) - 1));
    $('step-next').addEventListener('click', () => go((state.step ?? -1) + 1));
    $('step-last').addEventListener('click', () => go(pass()?.steps.length ?? 0));
    $('step-play').addEventListener('click', togglePlay);
    $('step-close').addEventListener('click', leaveStepper);
    $('step-scrub').addEventListener('input', () => go(Number($('step-scrub').value)));
    $('step-speed').addEventListener('change', () => {
        if (state.timer) play();
    });
    $('pass-list').addEventListener('click', (e) => {
        const li = e.target.closest('li');
        if (li) go(Number(li.dataset.n));
    });

    document.addEventListener('keydown', (e) => {
        const tag = (document.activeElement && document.activeElement.tagName) || '';
        if (['INPUT', 'SELECT', 'TEXTAREA'].includes(tag) && e.key !== 'Escape') return;
        if (e.ctrlKey || e.metaKey || e.altKey) return;
        switch (e.key) {
            case 'ArrowRight': go((state.step ?? -1) + 1); break;
            case 'ArrowLeft':
                if (state.step !== null) go(state.step - 1);
                break;
            case ' ': togglePlay(); break;
            case 'Home': go(0); break;
            case 'End': go(pass()?.steps.length ?? 0); break;
            case 'Escape':
                if (state.step !== null)
                    leaveStepper();
                else
                    select(null);
                break;
            case '+':
            case '=': zoomCentre(1.25); break;
            case '-': zoomCentre(0.8); break;
            case '0': fit(); break;
            default: return;
        }
        e.preventDefault();
    });

    // --- picker and options ---

    $('name').addEventListener('change', () => {
        const name = $('name').value;
        post('api/show', {name: name === '' ? null : name});
    });

    function options() {
        const depth = $('opt-depth').value.trim();
        const cap = $('opt-cap').value.trim();
        const o = {
            depth: depth === '' ? null : Math.max(0, Math.floor(Number(depth))),
            hide_constants: $('opt-hide').checked,
            cluster_modules: $('opt-clusters').checked,
            collapse_modules: $('opt-collapse').checked,
            shade: $('opt-shade').checked,
            tb: $('opt-tb').classList.contains('on'),
        };
        if (cap !== '' && Number(cap) >= 1) o.max_nodes = Math.floor(Number(cap));
        if (state.frame && state.frame.options) o.decimals = state.frame.options.decimals;
        return o;
    }

    function sendOptions() {
        clearTimeout(state.optionsDirty);
        state.optionsDirty = setTimeout(() => {
            state.optionsDirty = null;
            post('api/options', options());
        }, 250);
    }

    function setOption(id, value) {
        const el = $(id);
        if (el.type === 'checkbox')
            el.checked = value;
        else
            el.value = value;
        sendOptions();
    }

    for (const id of ['opt-depth', 'opt-cap'])
        $(id).addEventListener('change', sendOptions);
    for (const id of ['opt-hide', 'opt-clusters', 'opt-collapse', 'opt-shade'])
        $(id).addEventListener('change', sendOptions);
    $('opt-lr').addEventListener('click', () => {
        $('opt-lr').classList.add('on');
        $('opt-tb').classList.remove('on');
        sendOptions();
    });
    $('opt-tb').addEventListener('click', () => {
        $('opt-tb').classList.add('on');
        $('opt-lr').classList.remove('on');
        sendOptions();
    });

    // --- the transports ---

    /// The scripts of the playground, one after the other (classic scripts: a page opened from
    /// file:// may load no module).
    function loadScripts(names) {
        return names.reduce((ready, name) => ready.then(() => new Promise((resolve, reject) => {
            const script = document.createElement('script');
            script.src = name;
            script.onload = resolve;
            script.onerror = () => reject(new Error(`${name} could not be loaded`));
            document.head.append(script);
        })), Promise.resolve());
    }

    // What the playground's scripts use of this page.
    window.mgradApp = {
        onFrame,
        onStatus,
        setStatus,
        toast,
        select,
        showMessage,
        setTransport(t) { transport = t; },
    };

    if (live) {
        connect();
    } else {
        setStatus('waiting', 'loading…');
        loadScripts(['plot.js', 'examples.js', 'console.js', 'playground.js'])
            .catch((e) => setStatus('gone', e.message));
    }
})();
