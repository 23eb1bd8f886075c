/** htm bound to Preact: JSX-like templates with no build-time transform. Text is always escaped. */
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
