// The channel explorers on the static site, with no kernel and no network.
//
// Each explorer's output holds its network as data: MXNet's graph of the
// chapter's own builder, exported by cnnbook/explorer_site.py (which says
// why this beats Thebe, Binder and JupyterLite). This script turns that
// data into sliders, a layer table, totals and a chart, computing what
// cnnbook.widgets.channel_report computes in Python, with the same
// numbers, the same formatting and the same sentences for an impossible
// setting. Nothing here knows NiN or GoogLeNet: only the arithmetic of
// convolutions, pooling, dense layers, concatenations and additions.
(function () {
  'use strict';

  // The data format this script reads: explorer_site.VERSION, which the
  // data carries. A page built by another version says so.
  var VERSION = 2;

  // ---- Python's formatting, digit for digit ----

  // format(x, '.<d>f') for a finite x >= 0: rounded half to even on the
  // exact value of the double, as Python does (toFixed rounds ties up).
  function fixed(x, d) {
    var s = x.toFixed(100);
    var dot = s.indexOf('.');
    var digits = s.slice(0, dot) + s.slice(dot + 1, dot + 1 + d);
    var rest = s.slice(dot + 1 + d);
    var up = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(
      rest.slice(1)) || Number(digits[digits.length - 1]) % 2 === 1));
    if (up) {
      var out = digits.split('');
      var i = out.length - 1;
      while (i >= 0 && out[i] === '9') { out[i] = '0'; i -= 1; }
      if (i < 0) { out.unshift('1'); } else { out[i] = String(+out[i] + 1); }
      digits = out.join('');
    }
    var head = digits.slice(0, digits.length - d).replace(/^0+(?=\d)/, '');
    return d ? head + '.' + digits.slice(digits.length - d) : head;
  }

  // format(n, ',') for a whole number given as digits
  function group(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }

  // repr() of what a reader typed: a str for text that is no number
  function repr(raw, value) {
    if (value === null) { return "'" + raw + "'"; }
    if (Number.isInteger(value)) { return String(value); }
    var s = String(value);
    if (Math.abs(value) < 1e-4) {
      s = value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
    }
    return s;
  }

  function tuple(shape) {
    return '(' + shape.join(', ') + (shape.length === 1 ? ',)' : ')');
  }

  // cnnbook.widgets._change
  function change(now, book) {
    if (now === book) { return 'as in the book'; }
    var percent = Number(100n * (now - book)) / Number(book);
    var size = Math.abs(percent);
    var decimals = 0;
    while (/^[0.]*$/.test(fixed(size, decimals))) { decimals += 1; }
    return (percent < 0 ? '-' : '+') + fixed(size, decimals) +
      '% vs the book';
  }

  function fill(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return String(fields[key]);
    });
  }

  function escapeHtml(text) {
    return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;')
      .replace(/>/g, '&gt;').replace(/"/g, '&quot;')
      .replace(/'/g, '&#x27;');
  }

  function parse(raw) {
    var text = String(raw).trim();
    var value = text === '' ? NaN : Number(text);
    return Number.isFinite(value) ? value : null;
  }

  // a headline's sum of sliders: [const, [[slider, coef], ...]]
  function linear(fn, x) {
    var total = fn[0];
    fn[1].forEach(function (term) { total += term[1] * x[term[0]]; });
    return total;
  }

  function prod(list) {
    return list.reduce(function (a, b) { return a * BigInt(b); }, 1n);
  }

  // ---- the network's arithmetic ----

  function NotPossible(message) { this.message = message; }

  // a name's parts: text, and {out: true} for a channel count
  function named(parts, channels) {
    return parts.map(function (part) {
      return typeof part === 'string' ? part : String(channels);
    }).join('');
  }

  // channel_report for a block choice, the sliders' and the size's raw
  // values: {rows, params, macs, output} or throws NotPossible. The
  // shapes follow explorer_site._shapes, rule for rule.
  function evaluate(data, choice, raws, sizeRaw) {
    var msg = data.messages;
    var x = data.sliders.map(function (slider, k) {
      var value = parse(raws[k]);
      if (value === null || !Number.isInteger(value)) {
        throw new NotPossible(fill(msg.not_whole, {
          name: slider.name, value: repr(String(raws[k]).trim(), value)}));
      }
      if (value < 1) {
        throw new NotPossible(fill(msg.below_one,
                                   {name: slider.name, value: value}));
      }
      return value;
    });
    var side = parse(sizeRaw);
    if (side === null || !Number.isInteger(side) || side < 1) {
      throw new NotPossible(fill(msg.bad_size, {
        value: repr(String(sizeRaw).trim(), side)}));
    }
    var input = data.input.concat([side, side]);
    // each layer's own channels: the book's, or its slider's value
    var own = data.nodes.map(function (node) {
      return node.out === undefined ? null : node.out;
    });
    choice.layers.forEach(function (nodes, k) {
      nodes.forEach(function (i) { own[i] = x[k]; });
    });
    var shapes = [], params = [], macs = [];
    var at = function (i) { return i < 0 ? input : shapes[i]; };
    data.nodes.forEach(function (node, i) {
      var parts = (node.parts || [node.src]).map(at);
      var src = parts[0];
      var c = own[i] === null ? src[1] : own[i];
      var shape;
      if (node.kind === 'add') {
        parts.forEach(function (part) {
          if (tuple(part) !== tuple(src)) {
            throw new NotPossible(fill(msg.mismatch, {
              layer: named(node.label, c), a: tuple(src), b: tuple(part)}));
          }
        });
        shape = src;
      } else if (node.kind === 'concat') {
        var channels = 0;
        parts.forEach(function (part) { channels += part[1]; });
        shape = [src[0], channels].concat(src.slice(2));
      } else {
        if (node.kind === 'window') {
          var out = src.slice(2).map(function (n, a) {
            return Math.floor((n + 2 * node.p[a] - node.d[a] *
              (node.k[a] - 1) - 1) / node.s[a]) + 1;
          });
          if (src.length === 4 && Math.min.apply(null, out) < 1) {
            throw new NotPossible(fill(msg.too_small, {
              input_h: side, input_w: side, layer: named(node.label, c),
              out_h: Math.max(out[0], 0), out_w: Math.max(out[1], 0),
              in_h: src[2], in_w: src[3]}));
          }
          shape = [src[0], c].concat(out);
        } else if (node.kind === 'global') {
          shape = [src[0], c].concat(src.slice(2).map(function () {
            return 1;
          }));
        } else if (node.kind === 'flatten') {
          shape = [src[0], Number(prod(src.slice(1)))];
        } else if (node.kind === 'vector') {
          shape = [src[0], c];
        } else {                                  // same
          shape = [src[0], c].concat(src.slice(2));
        }
      }
      shapes.push(shape);
      var count = 0n, mult = 0n;
      (node.params || []).forEach(function (dims, j) {
        var sizes = dims.map(function (dim) {
          if (dim === 'out') { return shape[1]; }
          if (dim === 'in') { return src[1]; }
          if (dim === 'inflat') { return Number(prod(src.slice(1))); }
          return dim;
        });
        count += prod(sizes);
        if (j === node.weight) { mult = prod(shape) * prod(sizes.slice(1)); }
      });
      params.push(count);
      macs.push(mult);
    });
    var rows = data.rows.map(function (row) {
      var p = 0n, m = 0n;
      row.leaves.forEach(function (i) { p += params[i]; m += macs[i]; });
      var shape = shapes[row.node];
      return {name: named(row.name, shape[1]), shape: shape, params: p,
              macs: m};
    });
    return {
      rows: rows, x: x, size: side,
      params: params.reduce(function (a, b) { return a + b; }, 0n),
      macs: macs.reduce(function (a, b) { return a + b; }, 0n),
      output: shapes[data.output]};
  }

  // ---- the page ----

  function element(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.append(child);
    });
    return node;
  }

  function Explorer(root, data) {
    this.root = root;
    this.data = data;
    this.choice = data.initial.choice;
    this.build();
    this.set(data.initial.values, data.initial.size);
  }

  Explorer.prototype.build = function () {
    var self = this, data = this.data;
    var box = element('div', {'class': 'cnnbook-explorer-live'});
    if (data.note) {
      var note = element('p', {'class': 'cnnbook-note'});
      note.innerHTML = '<i>' + data.note + '</i>';
      box.append(note);
    }
    if (data.choices.length > 1) {
      this.picker = element('select', {'class': 'cnnbook-choice',
                                       'aria-label': data.choice_label});
      data.choices.forEach(function (choice, i) {
        self.picker.append(element('option', {value: String(i)},
                                   [choice.name]));
      });
      this.picker.value = String(this.choice);
      this.picker.addEventListener('change', function () {
        self.choice = Number(self.picker.value);
        var choice = data.choices[self.choice];
        self.set(choice.values, self.sizeBox.value);
      });
      box.append(element('label', {'class': 'cnnbook-control'},
                         [data.choice_label + ' ', this.picker]));
    }
    var controls = element('div', {'class': 'cnnbook-controls'});
    this.ranges = [];
    this.boxes = [];
    var add = function (label, key, min, max, column) {
      var range = element('input', {type: 'range', min: min, max: max,
                                    step: 1, 'data-key': key,
                                    'aria-label': label});
      var number = element('input', {type: 'number', step: 1,
                                     'data-key': key,
                                     'aria-label': label});
      range.addEventListener('input', function () {
        number.value = range.value;
        self.update();
      });
      number.addEventListener('input', function () {
        var value = parse(number.value);
        if (value !== null && value >= Number(range.min) &&
            value <= Number(range.max)) {
          range.value = String(value);
        }
        self.update();
      });
      column.append(element('label', {'class': 'cnnbook-slider'},
                            [element('span', {}, [label]), range, number]));
      return [range, number];
    };
    var left = element('div', {'class': 'cnnbook-column'});
    var right = element('div', {'class': 'cnnbook-column'});
    data.sliders.forEach(function (slider, k) {
      var pair = add(slider.label, slider.name, slider.min, 1, left);
      self.ranges.push(pair[0]);
      self.boxes.push(pair[1]);
    });
    var size = add(data.size.label, 'size', data.size.min, data.size.max,
                   right);
    this.sizeRange = size[0];
    this.sizeBox = size[1];
    var reset = element('button', {type: 'button', 'class': 'cnnbook-reset'},
                        ['reset to the book']);
    reset.addEventListener('click', function () {
      self.set(data.choices[self.choice].values, data.size.value);
    });
    right.append(reset);
    controls.append(left, right);
    this.summary = element('div', {'class': 'cnnbook-summary'});
    this.output = element('div', {'class': 'cnnbook-output'});
    box.append(controls, this.summary, this.output);
    var old = this.root.querySelector('.cnnbook-explorer-static');
    if (old) { old.remove(); }
    this.root.append(box);
  };

  // the sliders at ``values`` (and the size), as ChannelExplorer.set_values
  // does: each maximum follows the block's book values, widened to show
  // a larger value
  Explorer.prototype.set = function (values, size) {
    var choice = this.data.choices[this.choice];
    var self = this;
    values.forEach(function (value, k) {
      self.ranges[k].max = String(Math.max(choice.max[k], value));
      self.ranges[k].value = String(value);
      self.boxes[k].value = String(value);
    });
    this.sizeRange.value = String(size);
    this.sizeBox.value = String(size);
    this.update();
  };

  Explorer.prototype.update = function () {
    var data = this.data;
    var raws = this.boxes.map(function (box) { return box.value; });
    var result;
    try {
      result = evaluate(data, data.choices[this.choice], raws,
                        this.sizeBox.value);
    } catch (e) {
      if (!(e instanceof NotPossible)) { throw e; }
      this.summary.innerHTML = '';
      this.output.innerHTML = '<p class="cnnbook-message" ' +
        'style="color:#a00"><b>Not possible:</b> ' +
        escapeHtml(e.message) + '</p>';
      this.result = null;
      return;
    }
    this.result = result;
    var choice = data.choices[this.choice];
    var head = '';
    if (choice.headline) {
      head = choice.headline.map(function (part) {
        return typeof part === 'string' ? part :
          String(linear(part.sum, result.x));
      }).join('') + '<br>';
    }
    var book = data.baseline;
    var mega = fixed(Number(result.macs) / 1e6, 1).split('.');
    this.summary.innerHTML = head + '<b>' + group(result.params.toString()) +
      '</b> parameters (' + change(result.params, BigInt(book.params)) +
      '), <b>' + group(mega[0]) + '.' + mega[1] + ' M</b> mult-adds (' +
      change(result.macs, BigInt(book.macs)) + '); output ' +
      tuple(result.output);
    this.output.innerHTML = table(result.rows) + chart(result.rows);
  };

  function table(rows) {
    return '<table class="cnnbook-layers"><tr><th>layer</th>' +
      '<th>output shape</th><th>parameters</th><th>mult-adds</th></tr>' +
      rows.map(function (r) {
        return '<tr><td style="text-align:left">' + escapeHtml(r.name) +
          '</td><td>' + tuple(r.shape) + '</td><td>' +
          group(r.params.toString()) + '</td><td>' +
          group(r.macs.toString()) + '</td></tr>';
      }).join('') + '</table>';
  }

  // parameters per row as horizontal bars (the chart of the Python view)
  function chart(rows) {
    var most = rows.reduce(function (a, r) {
      return r.params > a ? r.params : a;
    }, 1n);
    return '<div class="cnnbook-chart" role="img" ' +
      'aria-label="parameters per layer">' +
      '<div class="cnnbook-chart-title">parameters</div>' +
      rows.map(function (r) {
        var width = Number(r.params * 10000n / most) / 100;
        return '<div class="cnnbook-bar-row"><span class="cnnbook-bar-name">' +
          escapeHtml(r.name.trim()) + '</span><span class="cnnbook-bar" ' +
          'style="width:' + width + '%"></span></div>';
      }).join('') + '</div>';
  }

  function start() {
    var found = [];
    document.querySelectorAll('.cnnbook-explorer').forEach(function (root) {
      var script = root.querySelector('script.cnnbook-explorer-data');
      if (!script || root.cnnbookExplorer) { return; }
      var data = JSON.parse(script.textContent);
      if (data.version !== VERSION) {
        // the table of the starting setting stays; no live explorer
        var note = element('p', {'class': 'cnnbook-message'});
        note.textContent = 'This explorer cannot run: its data has ' +
          'format ' + data.version + ', and this page\'s explorer.js ' +
          'reads format ' + VERSION + '. Rebuild the site (make book).';
        root.insertBefore(note, root.firstChild);
        return;
      }
      root.cnnbookExplorer = new Explorer(root, data);
      found.push(root.cnnbookExplorer);
    });
    window.cnnbookExplorers = found;
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
