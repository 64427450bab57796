/**
 * The browser globals the tests' page.evaluate() callbacks use (they run in Chromium, not in
 * Node). Declared loosely here because the DOM library's types clash with Node's fetch types,
 * which the stack under test uses.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const localStorage: any;
declare const navigator: any;
declare const Navigator: any;
declare function requestAnimationFrame(callback: () => void): number;
type HTMLElement = any;
declare const DataTransfer: any;
declare const DragEvent: any;
type HTMLImageElement = any;
