import type { Page } from "playwright-core";

/** An element that sticks out past the right edge of the window. */
export interface Overflow {
  tag: string;
  text: string;
  right: number;
}

/** The page's width beyond the window (0 when nothing scrolls sideways), and the widest offenders. */
export function horizontalOverflow(page: Page): Promise<{ excess: number; offenders: Overflow[] }> {
  return page.evaluate(() => {
    const excess = document.documentElement.scrollWidth - window.innerWidth;
    const offenders: Overflow[] = [];
    if (excess > 0) {
      for (const el of document.body.querySelectorAll("*")) {
        const r = el.getBoundingClientRect();
        // inside a sideways scroller (tabs, tables) sticking out is fine: it scrolls there
        let clipped = false;
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          const o = getComputedStyle(p).overflowX;
          if (o === "auto" || o === "scroll" || o === "hidden") clipped = true;
        }
        if (!clipped && r.right > window.innerWidth + 1) offenders.push({ tag: el.tagName.toLowerCase(), text: (el.textContent ?? "").trim().slice(0, 60), right: Math.round(r.right) });
      }
    }
    return { excess, offenders: offenders.sort((a, b) => b.right - a.right).slice(0, 8) };
  });
}

/** Text whose contrast with what is behind it is below WCAG AA (4.5:1, 3:1 for large text). */
export interface LowContrast {
  text: string;
  ratio: number;
  colour: string;
  background: string;
}

/**
 * Every visible text of the page checked against its effective background (the ancestors'
 * backgrounds composed). Skips disabled controls (WCAG exempts them), transparent or hidden text, and
 * text over images (its background is the picture). Colours may be in any CSS syntax (Tailwind 4 writes
 * oklch, Chromium may compute lab): a canvas converts them.
 */
export function lowContrastText(page: Page): Promise<LowContrast[]> {
  return page.evaluate(() => {
    type RGBA = [number, number, number, number]; // linear sRGB 0..1, alpha
    const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    // Any CSS colour (rgb, oklch, lab, color-mix...) to sRGB bytes: let a canvas do the conversion.
    const ctx = document.createElement("canvas").getContext("2d", { willReadFrequently: true })!;
    const parse = (css: string): RGBA | null => {
      if (!css || css === "transparent") return [0, 0, 0, 0];
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = "#000";
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      return [toLinear(r / 255), toLinear(g / 255), toLinear(b / 255), a / 255];
    };
    const over = (top: RGBA, bottom: RGBA): RGBA => {
      const a = top[3] + bottom[3] * (1 - top[3]);
      if (a === 0) return [0, 0, 0, 0];
      const mix = (i: number) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
      return [mix(0), mix(1), mix(2), a];
    };
    const luminance = (c: RGBA) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    const pageBg = parse(getComputedStyle(document.documentElement).backgroundColor);
    const canvas: RGBA = pageBg && pageBg[3] > 0 ? pageBg : matchMedia("(prefers-color-scheme: dark)").matches ? [0, 0, 0, 1] : [1, 1, 1, 1];

    const out: LowContrast[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || seen.has(el) || !(node.textContent ?? "").trim()) continue;
      seen.add(el);
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.closest("[aria-hidden=true], .sr-only, svg, script, style, option")) continue;
      if (el.closest(":disabled, [aria-disabled=true]")) continue;
      const style = getComputedStyle(el);
      if (style.visibility !== "visible") continue;
      // composed background, bottom-up from the element; skip if an image or a translucent layer is in the way
      const layers: RGBA[] = [];
      let skip = false;
      for (let p: Element | null = el; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (parseFloat(s.opacity) < 1) skip = true;
        if (s.backgroundImage !== "none" || (p !== el && p.querySelector(":scope > img, :scope > canvas"))) skip = true;
        const c = parse(s.backgroundColor);
        if (c && c[3] > 0) {
          layers.push(c);
          if (c[3] >= 1) break;
        }
      }
      if (skip) continue;
      const bg = layers.reduceRight<RGBA>((acc, c) => over(c, acc), canvas);
      const fg = parse(style.color);
      if (!fg) continue;
      const text = over(fg, bg);
      const [hi, lo] = [luminance(text), luminance(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) {
        const srgb = (c: number) => Math.round(255 * (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055));
        out.push({ text: (node.textContent ?? "").trim().slice(0, 50), ratio: Math.round(ratio * 100) / 100, colour: style.color, background: `rgb(${srgb(bg[0])}, ${srgb(bg[1])}, ${srgb(bg[2])})` });
      }
    }
    return out;
  });
}

/** The focused element: its accessible text, whether its outline is drawn (and not cut off), and whether it is in view. */
export function focused(page: Page): Promise<{ tag: string; text: string; href: string | null; outline: boolean; inView: boolean; nav: string | null }> {
  return page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    if (!active || active === document.body) return { tag: "body", text: "", href: null, outline: false, inView: false, nav: null };
    // a visually hidden file input shows its ring on the label that wraps it
    const el = (active.matches("input.sr-only") && active.closest("label")) || active;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    // the ring is drawn outside the box by offset + width; a scrolling or clipping ancestor may cut it off
    const grow = parseFloat(s.outlineOffset) + parseFloat(s.outlineWidth) - 0.5;
    let clipped = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ps = getComputedStyle(p);
      if (ps.overflowX === "visible" && ps.overflowY === "visible") continue;
      const c = p.getBoundingClientRect();
      if (r.left - grow < c.left || r.right + grow > c.right || r.top - grow < c.top || r.bottom + grow > c.bottom) clipped = true;
    }
    return {
      tag: active.tagName.toLowerCase(),
      text: (el.getAttribute("aria-label") ?? el.textContent ?? "").trim(),
      href: el.getAttribute("href"),
      outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 && !clipped,
      inView: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
      nav: el.closest("nav")?.getAttribute("aria-label") ?? null,
    };
  });
}

/** Relative luminance (0 black .. 1 white) of the body's background and text colour. */
export function bodyLuminance(page: Page): Promise<{ background: number; text: number }> {
  return page.evaluate(() => {
    const ctx = document.createElement("canvas").getContext("2d", { willReadFrequently: true })!;
    const lum = (css: string) => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b] = [...ctx.getImageData(0, 0, 1, 1).data].map((v) => v / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const s = getComputedStyle(document.body);
    return { background: lum(s.backgroundColor), text: lum(s.color) };
  });
}
