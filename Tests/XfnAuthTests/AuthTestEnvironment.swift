import Foundation
import XfnCore
import XfnTestSupport
@testable import XfnAuth

/// An isolated home with a `bin` directory on PATH for helper scripts the tests write.
struct AuthTestEnvironment {
    let home: TemporaryDirectory
    let bin: String
    var variables: [String: String]

    init() throws {
        home = try TemporaryDirectory(prefix: "xfn-auth")
        bin = try home.subdirectory("bin")
        let systemPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        variables = [
            "HOME": home.path, "XDG_RUNTIME_DIR": home.appending("run"), "XDG_CONFIG_HOME": home.appending(".config"),
            "PATH": bin + ":" + systemPath,
            // Metadata services only ever on loopback, on a port nothing listens on.
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1", "GCE_METADATA_HOST": "127.0.0.1:1",
        ]
    }

    var environment: Environment { Environment(variables) }

    /// Writes `text` to `relative` under the home, creating directories.
    @discardableResult
    func write(_ text: String, to relative: String) throws -> String {
        let path = home.appending(relative)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An executable `docker-credential-NAME` shell script with `body` (stdin holds the request).
    func writeHelper(_ name: String, _ body: String) throws {
        let path = try write("#!/bin/sh\n" + body + "\n", to: "bin/docker-credential-\(name)")
        chmod(path, 0o755)
    }

    /// A helper answering `get` for exactly `serverURL`, logging every call to `bin/NAME.log`.
    func writeGetHelper(_ name: String, serverURL: String, username: String, secret: String) throws {
        try writeHelper(name, """
            read -r url
            echo "$1 $url" >> "\(bin)/\(name).log"
            if [ "$1" = get ] && [ "$url" = '\(serverURL)' ]; then
              printf '{"ServerURL":"%s","Username":"\(username)","Secret":"\(secret)"}' "$url"
              exit 0
            fi
            echo "credentials not found in native keychain"
            exit 1
            """)
    }

    /// A helper that keeps credentials in a JSON file beside it, supporting get, store, erase and list.
    func writeStoringHelper(_ name: String) throws {
        let path = try write("""
            #!/usr/bin/env python3
            import json, os, sys
            db_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "\(name)-store.json")
            db = json.load(open(db_path)) if os.path.exists(db_path) else {}
            action, data = sys.argv[1], sys.stdin.read()
            if action == "get":
                url = data.strip()
                if url not in db:
                    print("credentials not found in native keychain"); sys.exit(1)
                print(json.dumps({"ServerURL": url, "Username": db[url][0], "Secret": db[url][1]}))
            elif action == "store":
                record = json.loads(data); db[record["ServerURL"]] = [record["Username"], record["Secret"]]
            elif action == "erase":
                db.pop(data.strip(), None)
            elif action == "list":
                print(json.dumps({k: v[0] for k, v in db.items()}))
            json.dump(db, open(db_path, "w"))

            """, to: "bin/docker-credential-\(name)")
        chmod(path, 0o755)
    }

    func helperLog(_ name: String) -> [String] {
        ((try? String(contentsOfFile: "\(bin)/\(name).log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func resolve(_ registry: String, _ repository: String, options: ResolverOptions = ResolverOptions()) async -> (Credential?, AuthTrace) {
        let resolver = CredentialResolver.standard(environment: environment, options: options)
        let found = await resolver.resolve(registry: registry, repository: repository)
        return (found.credential, found.trace)
    }
}

func basicAuth(_ user: String, _ password: String) -> String { Data("\(user):\(password)".utf8).base64EncodedString() }

/// A throwaway service-account key: an RSA key from openssl and the JSON Google would hand out.
struct TestGoogleKey {
    let directory: TemporaryDirectory
    let privateKeyPath: String
    let publicKeyPath: String
    let json: String

    static func generate(tokenURI: String = "https://oauth2.googleapis.com/token", email: String = "puller@proj.iam.gserviceaccount.com") async throws -> TestGoogleKey {
        let directory = try TemporaryDirectory(prefix: "xfn-gkey")
        let privateKeyPath = directory.appending("key.pem")
        let publicKeyPath = directory.appending("pub.pem")
        try await ProcessRunner.runChecked("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", privateKeyPath])
        try await ProcessRunner.runChecked("openssl", ["pkey", "-in", privateKeyPath, "-pubout", "-out", publicKeyPath])
        let pem = try String(contentsOfFile: privateKeyPath, encoding: .utf8)
        let document: Value = [
            "type": "service_account", "project_id": "proj", "private_key_id": "kid-123", "private_key": .string(pem),
            "client_email": .string(email), "client_id": "1234", "token_uri": .string(tokenURI),
        ]
        return TestGoogleKey(directory: directory, privateKeyPath: privateKeyPath, publicKeyPath: publicKeyPath,
                             json: ValueJSON.serialize(document))
    }
}
