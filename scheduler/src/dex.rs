//! `dex`: the IO half. A small Pokédex-like JSON service on loopback (the articles call
//! the public PokeAPI, which tests must not hammer and this machine cannot reach), and the
//! client the `dex NAME` command awaits: one HTTP/1.1 GET over a fresh connection.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode, Uri, header};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};

/// The service's data, shared with the Python twin.
const POKEDEX: &str = include_str!("../pokedex.json");

/// Where the dex service answers: `http://HOST:PORT`.
#[derive(Debug, Clone)]
pub struct Server {
    authority: String,
}

impl Server {
    /// `--server URL`: an `http://host:port` address (a path, if any, is ignored).
    pub fn parse(url: &str) -> Result<Self, String> {
        let uri: Uri = url.parse().map_err(|_| {
            format!("`--server` takes a URL like http://127.0.0.1:8000, not `{url}`")
        })?;
        match (uri.scheme_str(), uri.authority()) {
            (Some("http"), Some(authority)) => Ok(Server {
                authority: authority.to_string(),
            }),
            _ => Err(format!(
                "`--server` takes an http:// URL with a host, not `{url}`"
            )),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.authority)
    }
}

/// Start the service on a free loopback port; every answer waits `delay` first (a
/// remote API's latency). It serves until the runtime stops.
pub async fn serve(delay: Duration) -> std::io::Result<Server> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let authority = listener.local_addr()?.to_string();
    let entries: Vec<Value> = serde_json::from_str(POKEDEX)
        .expect("pokedex.json, embedded at build time, is an array");
    let dex: &'static [Value] = Vec::leak(entries);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let answer = hyper::service::service_fn(move |request| {
                answer(request, dex, delay)
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), answer),
            );
        }
    });
    Ok(Server { authority })
}

/// `GET /pokemon/NAME`: the entry as JSON, or 404.
async fn answer(
    request: Request<Incoming>,
    dex: &'static [Value],
    delay: Duration,
) -> Result<Response<Full<Bytes>>, Infallible> {
    tokio::time::sleep(delay).await;
    let name = request.uri().path().strip_prefix("/pokemon/").unwrap_or("");
    let found = dex.iter().find(|entry| entry["name"] == name);
    let (status, body) = match found {
        Some(entry) => (StatusCode::OK, entry.to_string()),
        None => (StatusCode::NOT_FOUND, r#"{"error":"not found"}"#.to_owned()),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

// ANCHOR: fetch
/// `dex NAME`: GET `/pokemon/NAME` and describe it, e.g. `pikachu #25 (electric)`.
/// Every step is an `.await`: while the answer is on its way, other tasks run.
pub async fn fetch(server: &Server, name: &str) -> Result<String, String> {
    let stream = TcpStream::connect(&server.authority)
        .await
        .map_err(|e| format!("cannot reach the dex at {}: {e}", server.url()))?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("dex handshake failed: {e}"))?;
    tokio::spawn(connection);
    let request = Request::get(format!("/pokemon/{name}"))
        .header(header::HOST, &server.authority)
        .body(Empty::<Bytes>::new())
        .map_err(|e| format!("bad request for `{name}`: {e}"))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("dex request failed: {e}"))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("dex answer cut short: {e}"))?
        .to_bytes();
    if status == StatusCode::NOT_FOUND {
        return Err(format!("no Pokémon called `{name}` in the dex"));
    }
    let entry: Value = serde_json::from_slice(&body)
        .map_err(|e| format!("the dex answered {status} with no JSON: {e}"))?;
    Ok(describe(&entry))
}
// ANCHOR_END: fetch

/// `pikachu #25 (electric)`.
fn describe(entry: &Value) -> String {
    let types: Vec<&str> = entry["types"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    format!(
        "{} #{} ({})",
        entry["name"].as_str().unwrap_or("?"),
        entry["id"],
        types.join("/")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dex_is_an_array_of_named_entries() {
        let Value::Array(entries) =
            serde_json::from_str(POKEDEX).expect("valid JSON")
        else {
            panic!("pokedex.json is not an array");
        };
        assert!(entries.iter().all(|e| e["name"].is_string()));
        assert_eq!(describe(&entries[3]), "pikachu #25 (electric)");
    }

    #[test]
    fn server_urls_are_checked() {
        assert_eq!(
            Server::parse("http://127.0.0.1:9").expect("ok").url(),
            "http://127.0.0.1:9"
        );
        assert!(Server::parse("127.0.0.1:9").is_err());
        assert!(Server::parse("ftp://x:1").is_err());
    }

    #[tokio::test]
    async fn fetches_over_loopback_and_reports_unknown_names() {
        let server = serve(Duration::ZERO).await.expect("binds loopback");
        assert_eq!(
            fetch(&server, "pikachu").await,
            Ok("pikachu #25 (electric)".into())
        );
        let missing = fetch(&server, "agumon").await.expect_err("not a Pokémon");
        assert!(missing.contains("no Pokémon called `agumon`"), "{missing}");
    }
}
