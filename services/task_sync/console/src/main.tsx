import { render } from "preact";
import { App } from "./components/App";
import { language } from "./i18n";
import "./styles.css";

document.documentElement.lang = language.get();
render(<App />, document.getElementById("app")!);
