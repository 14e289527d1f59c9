// First start of the compose MongoDB (docker-entrypoint-initdb.d, run as root): the services'
// own user, with readWrite on the wabridge database only. The passwords come from deploy/.env.
const dbName = process.env.WABRIDGE_DB || "wabridge";
db.getSiblingDB("admin").createUser({
  user: "wabridge",
  pwd: process.env.MONGODB_APP_PASSWORD,
  roles: [{ role: "readWrite", db: dbName }],
});
