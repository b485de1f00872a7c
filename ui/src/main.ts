import "./app.css";
import { mount } from "svelte";
import App from "./App.svelte";
import { benchMark } from "./lib/bindings";

// A moment for `cargo xtask bench ui`'s breakdown (the app prints it only in benchmark runs).
benchMark("ui-script", null).catch(() => {});

const app = mount(App, { target: document.getElementById("app")! });

export default app;
