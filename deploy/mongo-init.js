// One database and one user per service (docs/architecture.md#stores); passwords come from the environment.
const services = ["intake", "routing", "notification", "tracking"];
for (const name of services) {
  const password = process.env[name.toUpperCase() + "_DB_PASSWORD"];
  db.getSiblingDB(name).createUser({ user: name, pwd: password, roles: [{ role: "readWrite", db: name }] });
}
