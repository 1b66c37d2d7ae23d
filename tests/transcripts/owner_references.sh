# Owner references: one controller at most, every field filled in, no Event as an owner;
# a valid reference makes the garbage collector delete the dependent with its owner.
kubectl create deployment web --image=nginx
sleep 3
RS=$(kubectl get rs -l app=web -o jsonpath='{.items[0].metadata.name}')
UID=$(kubectl get rs $RS -o jsonpath='{.metadata.uid}')
cat <<Y > owned.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: owned
  ownerReferences:
  - apiVersion: apps/v1
    kind: ReplicaSet
    name: $RS
    uid: $UID
    controller: true
data:
  k: v
Y
kubectl apply -f owned.yaml
kubectl get cm owned -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}{"\n"}'
kubectl patch cm owned --type=json -p='[{"op":"add","path":"/metadata/ownerReferences/-","value":{"apiVersion":"v1","kind":"Pod","name":"p","uid":"0000","controller":true}}]'
cat <<'Y' > three.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: three
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: a, uid: "1", controller: true, blockOwnerDeletion: true}
  - {apiVersion: apps/v1, kind: ReplicaSet, name: b, uid: "2", controller: false}
  - {apiVersion: apps/v1, kind: ReplicaSet, name: c, uid: "3", controller: true}
  - {apiVersion: apps/v1, kind: ReplicaSet, name: d, uid: "4", controller: true}
Y
kubectl create -f three.yaml
cat <<'Y' > bad.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: bad
  ownerReferences:
  - {apiVersion: v1, kind: Event, name: "", uid: ""}
  - {kind: Pod, name: x, uid: u}
  - {apiVersion: a/b/c, kind: "", name: other, uid: v}
Y
kubectl create -f bad.yaml
kubectl get cm
kubectl delete deployment web
sleep 2
kubectl get cm owned
