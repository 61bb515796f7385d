import { greeting } from "./greeting.js";

const el = document.getElementById("greeting");
el.textContent = `${greeting(new Date().getHours())}, from a static site served by nginx`;
