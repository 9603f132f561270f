export { appSchema, type AppConfig } from "./app.js";
export { profileSchema, type ProfileConfig } from "./profile.js";
