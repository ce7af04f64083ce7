import { render } from "preact";
// Bundled font (no CDN); each weight carries the Vietnamese, Latin and Latin-ext subsets.
import "@fontsource/be-vietnam-pro/400.css";
import "@fontsource/be-vietnam-pro/600.css";
import "@fontsource/be-vietnam-pro/700.css";
import "./style.css";
import { App } from "./app";

const root = document.getElementById("app");
if (root) render(<App />, root);
