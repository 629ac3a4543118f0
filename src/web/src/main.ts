// Entry point of the browser client: styles, the app state, the screens, then the connection.
import "@lichess-org/chessground/assets/chessground.base.css";
import "@lichess-org/chessground/assets/chessground.brown.css";
import "@lichess-org/chessground/assets/chessground.cburnett.css";
import "./style.css";
import { App } from "./app.js";
import { Screens } from "./screens.js";

const app = new App();
new Screens(app);
void app.start();
