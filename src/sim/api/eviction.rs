//! The pods/eviction subresource: deletes a pod unless that would break its
//! PodDisruptionBudget, answering 429 TooManyRequests when it would (kubectl drain retries).

use k8s_openapi::api::core::v1::PodCondition;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use super::errors::ApiError;
use super::WriteOptions;
use crate::sim::controllers::disruption::{compute_status, covered_pods, pod_healthy};
use crate::sim::{Kind, Object, World};

impl World {
    /// POST pods/NAME/eviction. `grace_s` is the eviction's deleteOptions.gracePeriodSeconds.
    pub fn api_evict(
        &mut self,
        ns: &str,
        name: &str,
        grace_s: Option<i64>,
        opts: WriteOptions,
    ) -> Result<(), ApiError> {
        let pod = self
            .store
            .get(Kind::Pod, ns, name)
            .and_then(|o| o.as_pod())
            .cloned()
            .ok_or_else(|| ApiError::not_found("pods", name))?;
        let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
        // Pods that are done, not yet running, or already going need no budget.
        let ignore_pdb =
            matches!(phase.as_str(), "Succeeded" | "Failed" | "Pending") || pod.metadata.deletion_timestamp.is_some();
        if !ignore_pdb {
            let pdbs: Vec<PodDisruptionBudget> = self
                .store
                .list(Kind::PodDisruptionBudget, Some(ns))
                .into_iter()
                .filter_map(|o| match o {
                    Object::PodDisruptionBudget(p) => Some((**p).clone()),
                    _ => None,
                })
                .filter(|p| covered_pods(self, p).iter().any(|cp| cp.metadata.uid == pod.metadata.uid))
                .collect();
            if pdbs.len() > 1 {
                return Err(ApiError::internal(
                    "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
                ));
            }
            if let Some(pdb) = pdbs.first() {
                // The budget as the disruption controller sees it right now.
                let status = compute_status(self, pdb);
                // IfHealthyBudget: an unready pod may go while the application is healthy enough.
                let unready_ok = !pod_healthy(&pod) && status.current_healthy >= status.desired_healthy;
                if !unready_ok {
                    if status.disruptions_allowed < 0 {
                        return Err(ApiError::forbidden("pods", name, "pdb disruptions allowed is negative"));
                    }
                    if status.disruptions_allowed == 0 {
                        return Err(ApiError::too_many_requests(
                            "Cannot evict pod as it would violate the pod's disruption budget.",
                        ));
                    }
                }
            }
        }
        if opts.dry_run {
            return Ok(());
        }
        let now = self.now;
        crate::sim::nodes::add_pod_condition(
            self,
            ns,
            name,
            PodCondition {
                type_: "DisruptionTarget".into(),
                status: "True".into(),
                reason: Some("EvictionByEvictionAPI".into()),
                message: Some("Eviction API: evicting".into()),
                last_transition_time: Some(now.time()),
                last_probe_time: None,
            },
        );
        self.api_delete(Kind::Pod, ns, name, grace_s, WriteOptions::default()).map(|_| ())
    }
}
