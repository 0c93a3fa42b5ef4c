<script>
// Injected by `cargo xtask book --check` into a copy of each page: measures what a
// reader at 1280 px would see and leaves the measurements in the DOM for the checker
// (check.rs) to read and judge. Only what needs the layout is decided here.
window.addEventListener('load', () => {
  const main = document.querySelector('main');
  // A reader can open every fold: measure the page with them open.
  main.querySelectorAll('details').forEach((d) => { d.open = true; });
  const column = main.getBoundingClientRect();
  const problems = [];
  main.querySelectorAll('table').forEach((table, i) => {
    const width = table.getBoundingClientRect().width;
    if (width > column.width + 1) {
      problems.push(`table ${i + 1} is ${Math.round(width)} px wide, the text column ${Math.round(column.width)} px`);
    }
  });
  main.querySelectorAll('img').forEach((img) => {
    const src = img.getAttribute('src');
    if (!img.complete || img.naturalWidth === 0) problems.push(`image ${src} did not load`);
    if (img.getBoundingClientRect().right > column.right + 1) problems.push(`image ${src} overflows the text column`);
  });

  // Every table body cell's text (the checker counts the empty ones).
  const cells = [...main.querySelectorAll('td')].map((td) => td.textContent);

  // Every text outside snippets and inline code (the checker looks for 0.000377).
  const texts = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('pre, code, script, style')) continue;
    if (node.data.trim()) texts.push(node.data);
  }

  // Names laid out over more than one line: each maximal run of non-whitespace in a
  // table cell or an inline code, measured with a Range per piece of text.
  const space = /[ \t\n\r\f\u1680\u2000-\u2006\u2008-\u200b\u2028\u2029\u205f\u3000]/;
  const containers = [...main.querySelectorAll('td, th, code')].filter((e) =>
    !e.closest('pre') && !(e.tagName === 'CODE' && e.parentElement.closest('td, th')));
  const range = document.createRange();
  const rectsOf = (node, start, end) => {
    range.setStart(node, start);
    range.setEnd(node, end);
    return [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
  };
  // Two boxes sit on different lines when they overlap by less than half a line.
  const apart = (a, b) =>
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) < Math.min(a.height, b.height) / 2;
  const blocks = 'br, img, p, div, li, ul, ol, table, pre';
  const broken = [];
  for (const container of containers) {
    const nodes = [];
    const inner = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    for (let node = inner.nextNode(); node; node = inner.nextNode()) nodes.push(node);
    let run = [];
    const finish = () => {
      const rects = run.flatMap(([node, start, end]) => rectsOf(node, start, end));
      if (rects.some((a) => rects.some((b) => apart(a, b)))) {
        // The name cut where the reader sees each line end, a character at a time.
        const lines = [''];
        let last = null;
        for (const [node, start, end] of run) {
          for (let i = start; i < end; i++) {
            const wide = node.data.codePointAt(i) > 0xffff ? 2 : 1;
            const [rect] = rectsOf(node, i, i + wide);
            if (rect && last && apart(rect, last)) lines.push('');
            if (rect) last = rect;
            lines[lines.length - 1] += node.data.slice(i, i + wide);
            i += wide - 1;
          }
        }
        if (lines.length > 1) broken.push(lines);
      }
      run = [];
    };
    nodes.forEach((node, n) => {
      if (n > 0) {
        const between = document.createRange();
        between.setStartAfter(nodes[n - 1]);
        between.setEndBefore(node);
        if (between.cloneContents().querySelector(blocks)) finish();
      }
      // A run may go on into the next text node (`<code>thread</code>s`).
      let start = null;
      for (let i = 0; i <= node.data.length; i++) {
        const last = i === node.data.length;
        const blank = !last && space.test(node.data[i]);
        if (!last && !blank && start === null) start = i;
        if ((last || blank) && start !== null) {
          run.push([node, start, i]);
          start = null;
        }
        if (blank) finish();
      }
    });
    finish();
  }

  // Every snippet shown: its first line, how far it scrolls, a character's width.
  const snippets = [];
  main.querySelectorAll('pre').forEach((pre) => {
    if (pre.clientWidth === 0) return;
    const code = pre.querySelector('code') || pre;
    const overflow = Math.max(
      pre.scrollWidth - pre.clientWidth,
      code.scrollWidth - code.clientWidth,
    );
    const probe = document.createElement('span');
    probe.style.whiteSpace = 'pre';
    probe.textContent = '0'.repeat(100);
    code.appendChild(probe);
    const char = probe.getBoundingClientRect().width / 100;
    probe.remove();
    const line = code.innerText.split('\n').find((l) => l.trim()) || '';
    snippets.push({ line, overflow, char });
  });

  const out = document.createElement('pre');
  out.id = 'book-check';
  // Only ASCII without <, > or &: the DOM dump then holds the JSON as it is.
  out.textContent = JSON.stringify({ problems, cells, texts, broken, snippets })
    .replace(/[<>&\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  document.body.appendChild(out);
});
</script>
