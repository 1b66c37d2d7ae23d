# kubectl explain: kinds, field paths, --recursive, --api-version and errors.
kubectl explain pods
kubectl explain deploy.spec.strategy
kubectl explain pod.spec.containers.resources.limits
kubectl explain po.spec.restartPolicy
kubectl explain deployments.apps.spec.replicas
kubectl explain svc.spec.ports.targetPort
kubectl explain cm --recursive
kubectl explain pod.spec.tolerations --recursive
kubectl explain deploy --api-version=apps/v1 | head -5
kubectl explain deploy --api-version=apps/v2
kubectl explain deploy --api-version=batch/v1
kubectl explain pods.spec.foo
kubectl explain pods.spec.foo.bar
kubectl explain foo
kubectl explain
kubectl explain pods nodes
