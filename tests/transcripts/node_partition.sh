# A network partition: node02 cannot reach the control plane or the other nodes. Its kubelet
# keeps running its pods, but the node goes Unknown, its pods leave the Service's endpoints,
# and requests to them time out; once healed, the node reports again.
kubectl create deployment web --image=nginx --replicas=2
kubectl expose deployment web --port=80
kubectl run client --image=busybox:1.36 -- sleep 3600
sleep 20
kubectl get pods -o wide
chaos partition node02
kubectl exec client -- wget -qO- -T 2 http://10.244.2.2
kubectl exec client -- wget -qO- -T 2 http://10.244.1.3 | head -4
sleep 45
kubectl get nodes
sleep 10
kubectl get nodes
kubectl get pods -o wide
kubectl get endpoints web
kubectl describe node node02 | grep -A8 Conditions
kubectl get node node02 -o jsonpath='{.spec.taints}{"\n"}'
chaos heal node02
sleep 15
kubectl get nodes
kubectl get endpoints web
kubectl exec client -- wget -qO- -T 2 http://10.244.2.2 | head -4
