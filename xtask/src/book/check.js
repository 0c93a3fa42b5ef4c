<script>
// Injected by `cargo xtask book --check` into a copy of each page: measures what a
// reader at 1280 px would see and leaves the answer in the DOM for the checker to read.
window.addEventListener('load', () => {
  const main = document.querySelector('main');
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
  const out = document.createElement('pre');
  out.id = 'book-check';
  out.textContent = JSON.stringify(problems);
  document.body.appendChild(out);
});
</script>
