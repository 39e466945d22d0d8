/**
 * The few browser globals the tests' in-page functions use. The project is
 * typed for the Workers runtime, without the DOM, so a function passed to
 * `page.evaluate` starts with `const { document } = globalThis as unknown as PageGlobals`.
 */

export interface PageElement {
  tagName: string;
  scrollWidth: number;
  clientWidth: number;
  textContent: string | null;
  append(child: PageElement): void;
}

export interface PageForm extends PageElement {
  method: string;
  action: string;
  submit(): void;
}

export interface PageImage {
  src: string;
  naturalWidth: number;
  naturalHeight: number;
  decode(): Promise<void>;
}

export interface PageCanvas extends PageElement {
  width: number;
  height: number;
  getContext(kind: "2d"): {
    drawImage(image: PageImage, x: number, y: number, width: number, height: number): void;
    getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray };
  } | null;
  toDataURL(type: "image/png"): string;
}

export interface PageGlobals {
  window: { scrollY: number; innerWidth: number };
  Image: new (width?: number, height?: number) => PageImage;
  document: {
    documentElement: PageElement;
    body: PageElement;
    querySelectorAll(selector: string): Iterable<PageElement>;
    createElement(tag: "form"): PageForm;
    createElement(tag: "canvas"): PageCanvas;
    addEventListener(
      type: "securitypolicyviolation",
      listener: (event: { effectiveDirective: string; blockedURI: string }) => void,
    ): void;
  };
}
