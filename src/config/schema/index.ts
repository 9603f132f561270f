export { appSchema, type AppConfig, type SecretSpec, type SecretRecipe } from "./app.js";
export { profileSchema, imageComponents, type ProfileConfig } from "./profile.js";
