# The cluster's own workloads, as kubeadm leaves them: static control-plane pods, kube-proxy
# on every node, CoreDNS behind kube-dns. drain needs --ignore-daemonsets for kube-proxy, and
# a deleted CoreDNS pod is replaced by its ReplicaSet.
kubectl get pods -n kube-system -o wide
kubectl get deploy,ds -n kube-system
kubectl get ep kube-dns -n kube-system
kubectl get pc
kubectl get pod etcd-controlplane -n kube-system -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.spec.priorityClassName} {.spec.priority}{"\n"}'
kubectl logs -n kube-system deploy/coredns
kubectl drain node01
kubectl drain node01 --ignore-daemonsets
kubectl uncordon node01
kubectl delete pod -n kube-system -l k8s-app=kube-dns
sleep 10
kubectl get pods -n kube-system -l k8s-app=kube-dns -o wide
kubectl get ep kube-dns -n kube-system
kubectl run dns --image=busybox:1.36 --restart=Never --rm -i -- nslookup kubernetes.default.svc.cluster.local
kubectl run nopc --image=nginx --overrides='{"spec":{"priorityClassName":"gold"}}'
