//! The generated LLBBridge client talks to the generated server in process
//! (no transport: the server is itself a tower service). This is the shape
//! of a fake bridge for frontend tests.

use mstage_proto::gateway as g;
use mstage_proto::gateway::llb_bridge_client::LlbBridgeClient;
use mstage_proto::gateway::llb_bridge_server::{LlbBridge, LlbBridgeServer};
use mstage_proto::{apicaps, pb};
use tonic::{Request, Response, Status};

#[derive(Default)]
struct Fake;

#[tonic::async_trait]
impl LlbBridge for Fake {
    async fn ping(&self, _: Request<g::PingRequest>) -> Result<Response<g::PongResponse>, Status> {
        Ok(Response::new(g::PongResponse {
            llb_caps: vec![apicaps::ApiCap {
                id: "mergeop".into(),
                enabled: true,
                ..Default::default()
            }],
            ..Default::default()
        }))
    }

    async fn read_file(
        &self,
        req: Request<g::ReadFileRequest>,
    ) -> Result<Response<g::ReadFileResponse>, Status> {
        let r = req.into_inner();
        if r.file_path != "Dockerfile" {
            return Err(Status::not_found(format!("{} not found", r.file_path)));
        }
        Ok(Response::new(g::ReadFileResponse {
            data: b"FROM scratch\n".to_vec(),
        }))
    }

    async fn solve(
        &self,
        req: Request<g::SolveRequest>,
    ) -> Result<Response<g::SolveResponse>, Status> {
        let def = req.into_inner().definition.unwrap_or_default();
        Ok(Response::new(g::SolveResponse {
            r#ref: String::new(),
            result: Some(g::Result {
                result: Some(g::result::Result::Ref(g::Ref {
                    id: format!("ref-{}", def.def.len()),
                    def: Some(def),
                })),
                ..Default::default()
            }),
        }))
    }
}

#[tokio::test]
async fn client_and_server_stubs_round_trip() {
    let mut client = LlbBridgeClient::new(LlbBridgeServer::new(Fake));
    let pong = client.ping(g::PingRequest {}).await.unwrap().into_inner();
    assert_eq!(pong.llb_caps[0].id, "mergeop");

    let data = client
        .read_file(g::ReadFileRequest {
            r#ref: "r".into(),
            file_path: "Dockerfile".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(data, b"FROM scratch\n");

    let err = client
        .read_file(g::ReadFileRequest {
            file_path: ".dockerignore".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);

    let def = pb::Definition {
        def: vec![vec![1, 2], vec![3]],
        ..Default::default()
    };
    let res = client
        .solve(g::SolveRequest {
            definition: Some(def.clone()),
            allow_result_return: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let Some(g::result::Result::Ref(r)) = res.result.unwrap().result else {
        panic!("no ref");
    };
    assert_eq!(r.id, "ref-2");
    assert_eq!(r.def, Some(def));

    // Unimplemented RPCs answer Unimplemented (generate_default_stubs).
    let err = client
        .evaluate(g::EvaluateRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unimplemented);
}
