# `chaos kill` kills a container's process: it exits 137 and the kubelet restarts it.
kubectl run web --image=nginx:1.27
sleep 10
chaos kill pod/web
sleep 1
kubectl get pod web
kubectl get pod web -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].restartCount}{"\n"}'
chaos kill pod/web -c nope
chaos kill pod/ghost
chaos bogus
chaos
