// waxseal serve: live reload. Injected into served pages only, never into
// the files `waxseal build` writes.
(() => {
  const me = document.currentScript;
  const run = me.dataset.run;
  let gen = Number(me.dataset.gen);
  const path = (url) => {
    try {
      return decodeURI(new URL(url, location.href).pathname);
    } catch (_) {
      return "";
    }
  };
  const page = (p) => p.replace(/index\.html$/, "");
  const here = page(path(location.href));

  const showOverlay = (html) => {
    const old = document.getElementById("waxseal-overlay");
    if (old) old.remove();
    if (html) {
      const t = document.createElement("template");
      t.innerHTML = html;
      document.body.appendChild(t.content);
    }
  };

  const swapStyles = (styles) => {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const m = path(link.href).match(/^\/assets\/(.+)\.[^./]+\.css$/);
      const next = m && styles[m[1]];
      if (!next || next === path(link.href)) continue;
      const fresh = link.cloneNode();
      fresh.href = next;
      // The old sheet goes once the new one is there: no unstyled flash.
      fresh.addEventListener("load", () => link.remove());
      fresh.addEventListener("error", () => link.remove());
      link.after(fresh);
    }
  };

  const fresh = (u) => {
    const url = new URL(u, location.href);
    url.searchParams.set("waxseal", String(gen));
    return url.href;
  };
  const refreshImages = (images) => {
    if (!images.length) return;
    for (const img of document.images) {
      const url = new URL(img.currentSrc || img.src, location.href);
      if (url.origin === location.origin && images.includes(decodeURI(url.pathname))) {
        // A picture shown from a srcset is fetched again through it: its
        // src alone is not what the browser shows.
        if (img.srcset) {
          img.srcset = img.srcset.split(",").map((c) => {
            const [u, ...size] = c.trim().split(/\s+/);
            return [fresh(u), ...size].join(" ");
          }).join(", ");
        }
        img.src = fresh(img.src);
      }
    }
  };

  const events = new EventSource(`/__waxseal/events?run=${encodeURIComponent(run)}&since=${gen}`);
  events.addEventListener("hello", (e) => {
    // A page of an earlier run of the server: its files may have changed since.
    if (JSON.parse(e.data).run !== run) {
      events.close();
      location.reload();
    }
  });
  events.addEventListener("build", (e) => {
    const b = JSON.parse(e.data);
    if (b.gen <= gen) return;
    gen = b.gen;
    if (b.all || b.reload.some((u) => page(u) === here)) {
      events.close();
      location.reload();
      return;
    }
    showOverlay(b.overlay);
    swapStyles(b.styles);
    refreshImages(b.images);
  });
})();
