import RondoneIndexerPostgreSQL
import Testing

/// `postgresql://` URLs as every scale-out option takes them.
@Suite struct PostgreSQLURLTests {
    @Test func fullForm() throws {
        let url = try PostgreSQLURL(
            parsing: "postgresql://gnocchi:s%40cr%2Fet@db.example:6543/metrics?sslmode=disable")
        #expect(url.user == "gnocchi" && url.password == "s@cr/et")
        #expect(url.host == "db.example" && url.port == 6543 && url.database == "metrics")
        #expect(url.sslMode == .disable)
        #expect(url.description == "postgresql://gnocchi:***@db.example:6543/metrics?sslmode=disable")
    }

    @Test func defaultsAndVariants() throws {
        let url = try PostgreSQLURL(parsing: "postgres://me@localhost/db")
        #expect(url.password == nil && url.port == 5432 && url.sslMode == .prefer)
        let v6 = try PostgreSQLURL(
            parsing: "postgresql://me:pw@[::1]:5433/db?application_name=api&options=-c%20search_path%3Dx")
        #expect(v6.host == "::1" && v6.port == 5433)
        #expect(v6.applicationName == "api" && v6.options == "-c search_path=x")
        let socket = try PostgreSQLURL(parsing: "postgresql://me@/db?host=%2Fvar%2Frun%2Fpostgresql")
        #expect(socket.host == "/var/run/postgresql")
        #expect(try PostgreSQLURL(parsing: url.description) == url)
    }

    @Test func refusals() {
        for text in [
            "mysql://u@h/db", "postgresql://h/db", "postgresql://u@h", "postgresql://u@h/",
            "postgresql://u@h:0/db",
            "postgresql://u@h:x/db", "postgresql://u@h/db?sslmode=maybe", "postgresql://u@h/db?bogus=1",
            "postgresql://u%zz@h/db", "postgresql://u@[::1/db",
        ] {
            #expect(throws: PostgreSQLURLError.self, "\(text)") { try PostgreSQLURL(parsing: text) }
        }
    }
}
