//! `DefaultStorageClass` (a new claim without a class gets the default StorageClass) and
//! `StorageObjectInUseProtection` (new claims and volumes get the `kubernetes.io/pvc-protection`
//! and `kubernetes.io/pv-protection` finalizers).

use crate::sim::storage::{self, PVC_PROTECTION, PV_PROTECTION};
use crate::sim::{Object, World};

fn add_finalizer(finalizers: &mut Option<Vec<String>>, f: &str) {
    let list = finalizers.get_or_insert_with(Vec::new);
    if !list.iter().any(|x| x == f) {
        list.push(f.to_string());
    }
}

pub fn mutate(w: &World, obj: &mut Object) {
    match obj {
        Object::PersistentVolumeClaim(pvc) => {
            if !storage::claim_has_class(pvc) {
                if let Some(def) = storage::default_class(&w.store) {
                    pvc.spec.get_or_insert_with(Default::default).storage_class_name = def.metadata.name.clone();
                }
            }
            add_finalizer(&mut pvc.metadata.finalizers, PVC_PROTECTION);
        }
        Object::PersistentVolume(pv) => add_finalizer(&mut pv.metadata.finalizers, PV_PROTECTION),
        _ => {}
    }
}
